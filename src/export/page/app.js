/* global tf */
// The page of a lessonkit browser export: reads lessonkit-export.json (page kind, preprocessing, class names), loads
// model.json with plain @tensorflow/tfjs (tf.min.js next to this file) and shows the top predictions.
// `?backend=cpu` (or webgl, wasm) picks the tfjs backend. window.lessonkitPage is the page's API (the tests use it).
(function () {
  'use strict';

  var el = function (id) {
    return document.getElementById(id);
  };
  var state = { config: null, model: null };

  function setStatus(text, isError) {
    el('status').textContent = text;
    el('status').className = isError ? 'error' : 'muted';
  }

  // Python's round(): halves to even (torchvision's centre-crop offset).
  function roundHalfEven(v) {
    if (v % 1 === 0.5) return Math.floor(v) % 2 === 0 ? Math.floor(v) : Math.ceil(v);
    return Math.round(v);
  }

  // The lesson's evaluation transform, step by step as lessonkit's data/transforms.ts computes it.
  function preprocess(raw, steps) {
    return tf.tidy(function () {
      var x = raw;
      steps.forEach(function (s) {
        if (s.op === 'grayscaleTo3') {
          if (x.shape[3] === 1) x = tf.tile(x, [1, 1, 1, 3]);
          else x = tf.tile(tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true), [1, 1, 1, 3]);
        } else if (s.op === 'resize') {
          if (x.shape[1] !== s.height || x.shape[2] !== s.width) {
            x = tf.image.resizeBilinear(x, [s.height, s.width], false, true);
          }
        } else if (s.op === 'centerCrop') {
          var top = roundHalfEven((x.shape[1] - s.height) / 2);
          var left = roundHalfEven((x.shape[2] - s.width) / 2);
          x = tf.slice(x, [0, top, left, 0], [-1, s.height, s.width, -1]);
        } else if (s.op === 'scaleTo01') {
          x = tf.div(tf.cast(x, 'float32'), 255);
        } else if (s.op === 'normalize') {
          x = tf.div(tf.sub(x, tf.tensor1d(s.mean)), tf.tensor1d(s.std));
        } else {
          throw new Error('unknown preprocessing step ' + JSON.stringify(s));
        }
      });
      return x;
    });
  }

  // Runs the model on one model-ready input; returns the raw output and, for classifiers, probabilities + top-k.
  async function run(x) {
    var c = state.config;
    var out = tf.tidy(function () {
      var y = state.model.predict(x);
      if (c.output === 'logits') y = tf.softmax(y);
      return y;
    });
    var values = Array.from(await out.data());
    out.dispose();
    var result = { output: values, probabilities: null, top: [] };
    if (c.output === 'probabilities' || c.output === 'logits') {
      result.probabilities = values;
      var names =
        c.classNames ||
        values.map(function (_, i) {
          return String(i);
        });
      result.top = values
        .map(function (p, i) {
          return { index: i, name: names[i], probability: p };
        })
        .sort(function (a, b) {
          return b.probability - a.probability;
        })
        .slice(0, c.topK || 3);
    }
    show(result);
    return result;
  }

  function show(result) {
    var table = el('top');
    table.innerHTML = '';
    if (result.top.length) {
      result.top.forEach(function (t) {
        var row = document.createElement('tr');
        var pct = (100 * t.probability).toFixed(1) + '%';
        row.innerHTML =
          '<td><b></b></td><td style="width:160px"><div class="bar" style="width:' +
          Math.max(1, 160 * t.probability).toFixed(0) +
          'px"></div></td><td style="text-align:right"></td>';
        row.children[0].firstChild.textContent = t.name;
        row.children[2].textContent = pct;
        table.appendChild(row);
      });
    } else {
      var row = document.createElement('tr');
      row.innerHTML = '<td></td>';
      row.firstChild.textContent = JSON.stringify(
        result.output.map(function (v) {
          return Number(v.toPrecision(5));
        }),
      );
      table.appendChild(row);
    }
  }

  // Raw pixels (0..255, row-major, channels last) -> preprocessing -> model.
  async function predictPixels(pixels, height, width, channels) {
    var raw = tf.tensor4d(Float32Array.from(pixels), [1, height, width, channels]);
    var x = preprocess(raw, state.config.preprocess);
    raw.dispose();
    try {
      return await run(x);
    } finally {
      x.dispose();
    }
  }

  // A sequence [steps][features] (or a batch of one [[...]]) straight into the model.
  async function predictSequence(values) {
    var shape = state.config.input.shape;
    var flat = values.flat(3).map(Number);
    var x = tf.tensor([].concat(flat), [1].concat(shape));
    try {
      return await run(x);
    } finally {
      x.dispose();
    }
  }

  // A drawn digit -> 28x28 like MNIST: the ink's bounding box scaled into 20x20, centred by its centre of mass.
  function digitFromCanvas(canvas, size) {
    var g = canvas.getContext('2d');
    var W = canvas.width;
    var H = canvas.height;
    var d = g.getImageData(0, 0, W, H).data;
    var minX = W,
      minY = H,
      maxX = -1,
      maxY = -1;
    for (var y = 0; y < H; y++) {
      for (var x = 0; x < W; x++) {
        if (d[4 * (y * W + x)] > 16) {
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
      }
    }
    var out = new Float32Array(size * size);
    if (maxX < 0) return out;
    var bw = maxX - minX + 1;
    var bh = maxY - minY + 1;
    var s = (size * 20) / 28 / Math.max(bw, bh);
    var small = document.createElement('canvas');
    small.width = size;
    small.height = size;
    var sg = small.getContext('2d');
    sg.fillStyle = '#000';
    sg.fillRect(0, 0, size, size);
    sg.imageSmoothingEnabled = true;
    sg.imageSmoothingQuality = 'high';
    sg.drawImage(canvas, minX, minY, bw, bh, (size - bw * s) / 2, (size - bh * s) / 2, bw * s, bh * s);
    var p = sg.getImageData(0, 0, size, size).data;
    var mass = 0,
      cx = 0,
      cy = 0;
    for (var i = 0; i < size * size; i++) {
      mass += p[4 * i];
      cx += (i % size) * p[4 * i];
      cy += Math.floor(i / size) * p[4 * i];
    }
    var dx = Math.round((size - 1) / 2 - cx / mass);
    var dy = Math.round((size - 1) / 2 - cy / mass);
    for (var yy = 0; yy < size; yy++) {
      for (var xx = 0; xx < size; xx++) {
        var sx = xx - dx;
        var sy = yy - dy;
        out[yy * size + xx] = sx >= 0 && sx < size && sy >= 0 && sy < size ? p[4 * (sy * size + sx)] : 0;
      }
    }
    return out;
  }

  function drawPreview(canvas, pixels, height, width, channels) {
    canvas.width = width;
    canvas.height = height;
    var g = canvas.getContext('2d');
    var img = g.createImageData(width, height);
    for (var i = 0; i < width * height; i++) {
      for (var k = 0; k < 3; k++) img.data[4 * i + k] = pixels[i * channels + (channels === 3 ? k : 0)];
      img.data[4 * i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
  }

  function digitsInput(box, c) {
    var size = c.input.height;
    box.innerHTML =
      '<h2 style="font-size:1.1rem;margin:0 0 8px">Draw a digit</h2>' +
      '<canvas id="pad" width="280" height="280"></canvas>' +
      '<button id="clear">Clear</button>' +
      '<p class="muted">What the model sees (' +
      size +
      '×' +
      size +
      '):</p><canvas class="preview" id="preview"></canvas>';
    var pad = el('pad');
    var g = pad.getContext('2d');
    var clear = function () {
      g.fillStyle = '#000';
      g.fillRect(0, 0, pad.width, pad.height);
    };
    clear();
    g.strokeStyle = '#fff';
    g.lineWidth = 22;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    var drawing = false;
    var at = function (e) {
      var r = pad.getBoundingClientRect();
      return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
    };
    pad.addEventListener('pointerdown', function (e) {
      drawing = true;
      var p = at(e);
      g.beginPath();
      g.moveTo(p[0], p[1]);
      g.lineTo(p[0] + 0.01, p[1]);
      g.stroke();
    });
    pad.addEventListener('pointermove', function (e) {
      if (!drawing) return;
      var p = at(e);
      g.lineTo(p[0], p[1]);
      g.stroke();
    });
    var finish = function () {
      if (!drawing) return;
      drawing = false;
      predictDrawing();
    };
    pad.addEventListener('pointerup', finish);
    pad.addEventListener('pointerleave', finish);
    el('clear').addEventListener('click', function () {
      clear();
      el('top').innerHTML = '';
    });
    function predictDrawing() {
      var pixels = digitFromCanvas(pad, size);
      if (c.invert)
        pixels = pixels.map(function (v) {
          return 255 - v;
        });
      drawPreview(el('preview'), pixels, size, size, 1);
      return predictPixels(pixels, size, size, 1);
    }
    return { predictDrawing: predictDrawing };
  }

  function imageInput(box, c) {
    var h = c.input.height;
    var w = c.input.width;
    var ch = c.input.channels;
    box.innerHTML =
      '<h2 style="font-size:1.1rem;margin:0 0 8px">Pick an image</h2>' +
      '<input type="file" id="file" accept="image/*" />' +
      '<p class="muted">Resized to ' +
      w +
      '×' +
      h +
      ' (what the model sees):</p><canvas class="preview" id="preview"></canvas>';
    el('file').addEventListener('change', async function () {
      var f = el('file').files[0];
      if (!f) return;
      var bitmap = await createImageBitmap(f);
      var cv = document.createElement('canvas');
      cv.width = w;
      cv.height = h;
      var g = cv.getContext('2d');
      g.imageSmoothingEnabled = true;
      g.imageSmoothingQuality = 'high';
      g.drawImage(bitmap, 0, 0, w, h);
      var d = g.getImageData(0, 0, w, h).data;
      var pixels = new Float32Array(w * h * ch);
      for (var i = 0; i < w * h; i++) {
        if (ch === 3) for (var k = 0; k < 3; k++) pixels[3 * i + k] = d[4 * i + k];
        else pixels[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
      }
      if (c.invert)
        pixels = pixels.map(function (v) {
          return 255 - v;
        });
      drawPreview(el('preview'), pixels, h, w, ch);
      await predictPixels(pixels, h, w, ch);
      setStatus('Predicted ' + f.name + ' (' + tf.getBackend() + ' backend).');
    });
  }

  function sequenceInput(box, c) {
    box.innerHTML =
      '<h2 style="font-size:1.1rem;margin:0 0 8px">Enter a sequence</h2>' +
      '<p class="muted">JSON, [' +
      c.input.shape.join(' × ') +
      '] (steps × features):</p>' +
      '<textarea id="json"></textarea><br /><button id="run">Predict</button>';
    var example = c.example;
    if (!example) {
      example = [];
      for (var t = 0; t < c.input.shape[0]; t++) example.push(new Array(c.input.shape[1]).fill(0));
    }
    // One step per line.
    el('json').value =
      '[\n' +
      example
        .map(function (row) {
          return JSON.stringify(row);
        })
        .join(',\n') +
      '\n]';
    el('run').addEventListener('click', async function () {
      try {
        await predictSequence(JSON.parse(el('json').value));
        setStatus('Predicted (' + tf.getBackend() + ' backend).');
      } catch (err) {
        setStatus(String(err), true);
      }
    });
  }

  async function start() {
    var backend = new URLSearchParams(location.search).get('backend');
    if (backend) await tf.setBackend(backend);
    await tf.ready();
    var response = await fetch('lessonkit-export.json');
    if (!response.ok) throw new Error('lessonkit-export.json: HTTP ' + response.status);
    var c = await response.json();
    state.config = c;
    document.title = c.title;
    el('title').textContent = c.title;
    el('subtitle').textContent = c.subtitle || '';
    (c.notes || []).forEach(function (n) {
      var li = document.createElement('li');
      li.textContent = n;
      el('notes').appendChild(li);
    });
    el('output-kind').textContent =
      c.output === 'values' ? 'Model outputs.' : 'Probabilities (top ' + (c.topK || 3) + ').';
    // An absolute URL: with a bare 'model.json', tfjs looks for the weight shards at the site's root.
    state.model = await tf.loadLayersModel(new URL('model.json', location.href).href);
    var ui = {};
    if (c.page === 'digits') ui = digitsInput(el('input'), c);
    else if (c.page === 'image') imageInput(el('input'), c);
    else sequenceInput(el('input'), c);
    setStatus(
      'Model loaded: ' +
        state.model.layers.length +
        ' layers, ' +
        tf.getBackend() +
        ' backend, tfjs ' +
        tf.version.tfjs +
        '.',
    );
    return ui;
  }

  var ready = start().catch(function (err) {
    setStatus('Could not load the model: ' + (err && err.message ? err.message : err), true);
    throw err;
  });
  window.lessonkitPage = {
    ready: ready,
    predictPixels: predictPixels,
    predictSequence: predictSequence,
    predictDrawing: function () {
      return ready.then(function (ui) {
        return ui.predictDrawing();
      });
    },
    backend: function () {
      return tf.getBackend();
    },
  };
})();
