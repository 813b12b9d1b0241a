// @ts-check
// A small, idempotent patch to tfjs-node's native binding source (binding/tfjs_backend.h, binding/tfjs_binding.cc),
// applied by scripts/setup.mjs before it compiles the binding. It exports three functions that work in the
// binding's OWN eager context (the one every tfjs op runs in), so that a TensorFlow function registered there runs
// through the existing `executeOp(name, attrs, inputIds, numOutputs)` as one op, with no tensor copies:
//   registerFunction(bytes: Uint8Array)   TFE_ContextAddFunctionDef (a serialized FunctionDef proto)
//   removeFunction(name: string)          TFE_ContextRemoveFunction
//   opList(): Buffer                      TF_GetAllOpList (a serialized OpList proto: the registered ops' signatures)
// The graph path (src/engine/graph/) uses them; without them it falls back to eager execution.
// Uses only Node built-ins (setup runs before node_modules exists).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';

const MARK = 'lessonkit-graph-functions v1';

const HEADER_FIND = ' public:\n  bool is_gpu_device;';
const HEADER_ADD = ` public:\n  // ${MARK}: the eager context, for registering functions in it.\n  TFE_Context *context() const { return tfe_context_; }\n  bool is_gpu_device;`;

const BINDING_FUNCTIONS = `
// ${MARK}: begin
static napi_value LessonkitRegisterFunction(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_value js_this;
  napi_status nstatus = napi_get_cb_info(env, info, &argc, args, &js_this, nullptr);
  ENSURE_NAPI_OK_RETVAL(env, nstatus, nullptr);
  bool is_typed_array = false;
  if (argc >= 1) {
    nstatus = napi_is_typedarray(env, args[0], &is_typed_array);
    ENSURE_NAPI_OK_RETVAL(env, nstatus, nullptr);
  }
  if (!is_typed_array) {
    NAPI_THROW_ERROR(env, "registerFunction() expects a Uint8Array holding a serialized FunctionDef.");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void *data = nullptr;
  napi_value array_buffer;
  size_t byte_offset = 0;
  nstatus = napi_get_typedarray_info(env, args[0], &type, &length, &data, &array_buffer, &byte_offset);
  ENSURE_NAPI_OK_RETVAL(env, nstatus, nullptr);
  if (type != napi_uint8_array) {
    NAPI_THROW_ERROR(env, "registerFunction() expects a Uint8Array.");
    return nullptr;
  }
  TFJSBackend *const backend = GetTFJSBackend(env);
  if (!backend) return nullptr;
  TF_AutoStatus tf_status;
  TFE_ContextAddFunctionDef(backend->context(), static_cast<const char *>(data), length, tf_status.status);
  ENSURE_TF_OK_RETVAL(env, tf_status, nullptr);
  return js_this;
}

static napi_value LessonkitRemoveFunction(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_value js_this;
  napi_status nstatus = napi_get_cb_info(env, info, &argc, args, &js_this, nullptr);
  ENSURE_NAPI_OK_RETVAL(env, nstatus, nullptr);
  if (argc < 1) {
    NAPI_THROW_ERROR(env, "removeFunction() expects a function name.");
    return nullptr;
  }
  std::string name;
  nstatus = GetStringParam(env, args[0], name);
  ENSURE_NAPI_OK_RETVAL(env, nstatus, nullptr);
  TFJSBackend *const backend = GetTFJSBackend(env);
  if (!backend) return nullptr;
  TF_AutoStatus tf_status;
  TFE_ContextRemoveFunction(backend->context(), name.c_str(), tf_status.status);
  ENSURE_TF_OK_RETVAL(env, tf_status, nullptr);
  return js_this;
}

static napi_value LessonkitOpList(napi_env env, napi_callback_info info) {
  TF_Buffer *buf = TF_GetAllOpList();
  napi_value result;
  void *copy = nullptr;
  napi_status nstatus = napi_create_buffer_copy(env, buf->length, buf->data, &copy, &result);
  TF_DeleteBuffer(buf);
  ENSURE_NAPI_OK_RETVAL(env, nstatus, nullptr);
  return result;
}
// ${MARK}: end

static napi_value InitTFNodeJSBinding(napi_env env, napi_value exports) {`;

const EXPORTS_FIND =
  '      {"getNumOfTensors", nullptr, GetNumOfTensors, nullptr, nullptr,\n       nullptr, napi_default, nullptr},\n';
const EXPORTS_ADD =
  EXPORTS_FIND +
  `      // ${MARK}\n` +
  '      {"registerFunction", nullptr, LessonkitRegisterFunction, nullptr, nullptr, nullptr, napi_default, nullptr},\n' +
  '      {"removeFunction", nullptr, LessonkitRemoveFunction, nullptr, nullptr, nullptr, napi_default, nullptr},\n' +
  '      {"opList", nullptr, LessonkitOpList, nullptr, nullptr, nullptr, napi_default, nullptr},\n';

export const EDITS = [
  { file: 'binding/tfjs_backend.h', find: HEADER_FIND, replace: HEADER_ADD },
  {
    file: 'binding/tfjs_binding.cc',
    find: '\nstatic napi_value InitTFNodeJSBinding(napi_env env, napi_value exports) {',
    replace: BINDING_FUNCTIONS,
  },
  { file: 'binding/tfjs_binding.cc', find: EXPORTS_FIND, replace: EXPORTS_ADD },
];

/** A fingerprint of the patch itself (part of setup's "nothing changed, reuse the built binding" key). */
export const bindingPatchHash = crypto.createHash('sha256').update(JSON.stringify(EDITS)).digest('hex').slice(0, 16);

/**
 * Applies the patch to the package at `pkgDir` (idempotent: a file that already carries the mark is left alone).
 * Returns the files it changed. Throws naming the file when the source does not look as expected (another
 * tfjs-node version): the caller then builds the unpatched binding and the graph path stays off.
 *
 * @param {string} pkgDir
 * @returns {string[]}
 */
export function applyBindingPatch(pkgDir) {
  /** @type {string[]} */
  const changed = [];
  /** @type {Map<string, typeof EDITS>} */
  const byFile = new Map();
  for (const e of EDITS) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) {
    const full = path.join(pkgDir, file);
    let text = fs.readFileSync(full, 'utf8');
    if (text.includes(MARK)) continue;
    for (const e of edits) {
      if (!text.includes(e.find))
        throw new Error(`${file}: the text the graph-function patch expects is not there (another tfjs-node version?)`);
      text = text.replace(e.find, e.replace);
    }
    fs.writeFileSync(`${full}.tmp`, text);
    fs.renameSync(`${full}.tmp`, full);
    changed.push(file);
  }
  return changed;
}
