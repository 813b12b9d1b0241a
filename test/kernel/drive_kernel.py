"""Drives a Jupyter kernel over the wire protocol with jupyter_client and prints what it saw as JSON.

Usage: python drive_kernel.py --kernel lessonkit --cwd notebooks/ > result.json
The kernelspec is found through JUPYTER_PATH. Every wait has a timeout, so a kernel that misbehaves (for example
plain tslab) produces a result with "timeout" entries instead of hanging. The node test asserts on the JSON.
"""
import argparse
import json
import queue
import sys
import time

from jupyter_client import BlockingKernelClient, KernelManager

TIMEOUT = 60


def collect(kc, msg_ids, timeout=TIMEOUT):
    """Replies and iopub messages for the given requests, in arrival order."""
    pending_idle = set(msg_ids)
    replies = {}
    iopub = {m: [] for m in msg_ids}
    deadline = time.time() + timeout
    while (pending_idle or len(replies) < len(msg_ids)) and time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
            parent = msg["parent_header"].get("msg_id")
            if parent in iopub:
                if msg["msg_type"] == "status":
                    if msg["content"]["execution_state"] == "idle":
                        pending_idle.discard(parent)
                else:
                    iopub[parent].append({"msg_type": msg["msg_type"], "content": msg["content"], "at": time.time()})
        except queue.Empty:
            pass
        try:
            msg = kc.get_shell_msg(timeout=0.01)
            parent = msg["parent_header"].get("msg_id")
            if parent in iopub:
                replies[parent] = msg["content"]
        except queue.Empty:
            pass
    return [
        {"reply": replies.get(m, "timeout"), "iopub": iopub[m], "idle": m not in pending_idle}
        for m in msg_ids
    ]


def run(kc, code, **kwargs):
    timeout = kwargs.pop("timeout", TIMEOUT)
    return collect(kc, [kc.execute(code, **kwargs)], timeout)[0]


def run_many(kc, codes, stop_on_error):
    ids = [kc.execute(c, stop_on_error=stop_on_error) for c in codes]
    return collect(kc, ids)


def untracked_message_types():
    """The request types whose status JupyterLab ignores (jupyter_server's list, passed to JupyterLab's page)."""
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

    return list(MappingKernelManager.class_traits()["untracked_message_types"].default())


def connect_like_jupyterlab(km):
    """A new client connects as a JupyterLab notebook does (kernel_info_request, then the notebook history's
    history_request) before any cell runs. Returns every status it saw, the history reply, and the status
    JupyterLab would show: the last status whose request type JupyterLab does not ignore."""
    # Its own session (as a browser tab has): clients made by km.client() share one zmq identity.
    kc = BlockingKernelClient(connection_file=km.connection_file)
    kc.load_connection_file()
    kc.start_channels()
    time.sleep(1.0)  # let the iopub subscription reach the kernel (zmq's slow joiner)
    started = time.time()
    info_id = kc.kernel_info()
    hist_id = kc.history(raw=True, output=False, hist_access_type="tail", n=500)
    ids = {info_id: "kernel_info_request", hist_id: "history_request"}
    statuses, replies = [], {}
    untracked = set(untracked_message_types())
    shown, shown_at = "unknown", None
    deadline = time.time() + 10
    while time.time() < deadline and (len(replies) < 2 or ["idle", "history_request"] not in statuses):
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
            if msg["msg_type"] == "status":
                parent_type = msg["parent_header"].get("msg_type")
                statuses.append([msg["content"]["execution_state"], parent_type])
                if parent_type not in untracked:
                    shown, shown_at = msg["content"]["execution_state"], time.time() - started
        except queue.Empty:
            pass
        try:
            msg = kc.get_shell_msg(timeout=0.01)
            if msg["parent_header"].get("msg_id") in ids:
                replies[ids[msg["parent_header"]["msg_id"]]] = {"msg_type": msg["msg_type"], "content": msg["content"]}
        except queue.Empty:
            pass
    kc.stop_channels()
    return {"statuses": statuses, "replies": replies, "shown": shown, "shown_seconds": shown_at}


def session(km, kc):
    out = {}
    out["connect"] = connect_like_jupyterlab(km)
    out["counts"] = [run(kc, "1 + 1"), run(kc, "let defined = 2;"), run(kc, "defined * 21")]
    out["silent"] = run(kc, "defined", silent=True)
    out["after_silent"] = run(kc, "defined + 1")
    out["errors"] = {
        "throw": run(kc, "function fail(): never { throw new Error('boom'); }\nfail();"),
        "type": run(kc, "const n: number = 'not a number';"),
        "library": run(kc, "import { throwIfInterrupted } from 'lessonkit';\nimport { requestInterrupt } from 'lessonkit/runtime';\nrequestInterrupt();\nthrowIfInterrupted();"),
        "shape": run(kc, "import * as tf from '@tensorflow/tfjs';\nconst a = tf.ones([2, 3]);\nconst b = tf.ones([4, 5]);\n\nfunction product() {\n  return tf.matMul(a, b);\n}\nproduct();"),
        "allocation": run(kc, "tf.zeros([1e6, 1e5]);"),
    }
    slow_fail = "await new Promise((r) => setTimeout(r, 400));\nthrow new Error('slow boom');"
    out["stop_on_error_true"] = run_many(
        kc, [slow_fail, "(globalThis as any).ranB = 'yes';", "(globalThis as any).ranC = 'yes';"], True)
    out["stop_on_error_true_check"] = run(kc, "String((globalThis as any).ranB) + ',' + String((globalThis as any).ranC)")
    out["stop_on_error_false"] = run_many(
        kc, [slow_fail, "(globalThis as any).ranD = 'yes';", "(globalThis as any).ranE = 'yes';"], False)
    out["stop_on_error_false_check"] = run(kc, "String((globalThis as any).ranD) + ',' + String((globalThis as any).ranE)")
    out["after_abort"] = run(kc, "'runs after the abort'")

    out["import_library"] = run(kc, "import { ensureEngine } from 'lessonkit';\nensureEngine().backend")
    out["import_relative_src"] = run(kc, "import { plainText } from '../src/display';\nplainText(1)")
    out["results"] = {
        "tensor": run(kc, "import * as tf from '@tensorflow/tfjs';\ntf.tensor([[1, 2, 3], [4, 5, 6]])"),
        "dataframe": run(kc, "import pl from 'nodejs-polars';\npl.DataFrame({ name: ['a', '<b>'], score: [1.5, 2] })"),
        "model": run(kc, "const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] }), "
                         "tf.layers.batchNormalization()] });\nmodel"),
        "displayable": run(kc, "class Badge { toMimeBundle() { return { 'text/plain': 'badge', 'text/html': '<b>badge</b>' }; } }\nnew Badge()"),
        "plain": run(kc, "({ a: 1, b: [1, 2] })"),
        "undefined": run(kc, "undefined"),
    }
    out["display"] = run(kc, "import { display, DisplayHandle } from 'lessonkit';\n"
                             "display(tf.tensor([1, 2]));\nconst handle = new DisplayHandle('bar');\n"
                             "handle.update('step 1');\nhandle.update('step 2');")
    out["memory_magic"] = run(kc, "%memory")
    out["leak"] = [run(kc, "for (let i = 0; i < 1500; i++) tf.scalar(i);"),
                   run(kc, "for (let i = 0; i < 3500; i++) tf.scalar(i);")]
    # More iopub messages in one go than zeromq sends at once (512): before serial-send.ts the kernel died here.
    out["burst"] = [run(kc, "for (let i = 0; i < 2000; i++) console.log(`line ${i}`);"), run(kc, "6 * 7")]

    loop = ("import { throwIfInterrupted } from 'lessonkit';\nlet reached = 0;\nfor (let i = 0; i < 600; i++) {\n  await new Promise((r) => setTimeout(r, 20));\n"
            "  reached = i;\n  throwIfInterrupted();\n}")
    msg_id = kc.execute(loop)
    time.sleep(1.5)
    km.interrupt_kernel()
    started = time.time()
    out["interrupt"] = collect(kc, [msg_id], timeout=20)[0]
    out["interrupt_seconds"] = time.time() - started
    out["after_interrupt"] = run(kc, "[reached, defined]")

    # A plain async loop that checks nothing: the first interrupt must end it at once, and it must stop.
    plain = "let ticks = 0;\nwhile (true) {\n  await new Promise((r) => setTimeout(r, 10));\n  ticks++;\n}"
    msg_id = kc.execute(plain)
    time.sleep(1.5)
    km.interrupt_kernel()
    interrupted_at = time.time()
    first = collect(kc, [msg_id], timeout=10)[0]
    out["plain_interrupt"] = first
    shown = [m["at"] for m in first["iopub"] if m["msg_type"] in ("error", "stream")]
    out["plain_interrupt_first_output_seconds"] = (min(shown) - interrupted_at) if shown else None
    out["plain_interrupt_needed_second"] = first["reply"] == "timeout"
    if first["reply"] == "timeout":  # a kernel that ignores the first interrupt: free it for the rest
        km.interrupt_kernel()
        collect(kc, [msg_id], timeout=10)
    out["ticks_after"] = run(kc, "ticks")
    time.sleep(0.5)
    out["ticks_later"] = run(kc, "ticks")

    # A wait the kernel cannot cancel (a promise and timer from outside the cell scope, as a library makes them).
    foreign = "await new (globalThis as any).Promise((r: () => void) => (globalThis as any).setTimeout(r, 3000));\n'finished'"
    msg_id = kc.execute(foreign)
    time.sleep(1.0)
    km.interrupt_kernel()
    interrupted_at = time.time()
    out["foreign_interrupt"] = x = collect(kc, [msg_id], timeout=15)[0]
    said = [m["at"] for m in x["iopub"] if m["msg_type"] == "stream"]
    out["foreign_interrupt_message_seconds"] = (min(said) - interrupted_at) if said else None
    return out


def restart_and_shutdown(km):
    out = {}
    old = km.provisioner.process
    started = time.time()
    km.restart_kernel(now=False)
    out["restart_seconds"] = time.time() - started
    out["old_returncode"] = old.wait(timeout=10)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    out["after_restart"] = run(kc, "6 * 7")
    proc = km.provisioner.process
    started = time.time()
    km.shutdown_kernel(now=False)
    out["shutdown_seconds"] = time.time() - started
    out["shutdown_returncode"] = proc.wait(timeout=10)
    kc.stop_channels()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--cwd", required=True)
    args = ap.parse_args()
    km = KernelManager(kernel_name=args.kernel)
    km.start_kernel(cwd=args.cwd)
    kc = km.client()
    kc.start_channels()
    result = {}
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        result["session"] = session(km, kc)
        kc.stop_channels()
        result["lifecycle"] = restart_and_shutdown(km)
    finally:
        if km.has_kernel and km.is_alive():
            km.shutdown_kernel(now=True)
    json.dump(result, sys.stdout, indent=1, default=str)


if __name__ == "__main__":
    main()
