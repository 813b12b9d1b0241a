"""Starts a kernel by name as Jupyter does (jupyter_client), runs one cell, prints JSON: status, the result's
text/plain (or stream text), the error. Usage: python one_cell.py <kernel name> <cwd> <code>"""
import json
import queue
import sys
import time

from jupyter_client import KernelManager


def main():
    name, cwd, code = sys.argv[1:4]
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=cwd)
    out = {"status": None, "text": "", "error": None}
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=90)
        msg_id = kc.execute(code)
        deadline = time.time() + 90
        idle = False
        while time.time() < deadline and not idle:
            try:
                msg = kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            t, c = msg["msg_type"], msg["content"]
            if t == "execute_result":
                out["text"] += c["data"].get("text/plain", "")
            elif t == "stream":
                out["text"] += c["text"]
            elif t == "error":
                out["error"] = f"{c['ename']}: {c['evalue']}"
            elif t == "status" and c["execution_state"] == "idle":
                idle = True
        reply = kc.get_shell_msg(timeout=30)
        out["status"] = reply["content"]["status"]
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
