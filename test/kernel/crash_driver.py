"""Kills the lesson kernel from inside a cell with a real SIGFPE, restarts it as Jupyter does (same connection
file), and records what the new kernel tells the learner. Prints JSON for crash.test.ts.

Usage: python crash_driver.py --kernel lessonkit --cwd notebooks/ --cache /tmp/x
"""
import argparse
import json
import os
import queue
import sys
import time

from jupyter_client import KernelManager

TIMEOUT = 60


def run(kc, code, timeout=TIMEOUT):
    msg_id = kc.execute(code)
    streams, reply, idle = [], None, False
    deadline = time.time() + timeout
    while time.time() < deadline and not (idle and reply is not None):
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["msg_type"] == "stream":
                    streams.append(msg["content"])
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        except queue.Empty:
            pass
        try:
            msg = kc.get_shell_msg(timeout=0.01)
            if msg["parent_header"].get("msg_id") == msg_id:
                reply = msg["content"]
        except queue.Empty:
            pass
    return {"reply": reply, "streams": streams}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--cwd", required=True)
    ap.add_argument("--cache", required=True)
    args = ap.parse_args()
    env = {**os.environ, "LESSONKIT_CACHE": args.cache}
    km = KernelManager(kernel_name=args.kernel)
    km.start_kernel(cwd=args.cwd, env=env)
    out = {}
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
        out["first"] = run(kc, "1 + 1")
        out["crash"] = run(kc, "// a native fault, as oneDNN raises it\nprocess.kill(process.pid, 'SIGFPE');", timeout=10)
        deadline = time.time() + 20
        while km.is_alive() and time.time() < deadline:
            time.sleep(0.1)
        out["dead_after_crash"] = not km.is_alive()
        out["exit_code"] = km.provisioner.process.poll() if km.provisioner and km.provisioner.process else None
        kc.stop_channels()
        connection_file = km.connection_file
        km.restart_kernel(now=True)
        out["same_connection_file"] = km.connection_file == connection_file
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
        out["after_restart"] = run(kc, "'alive again'")
        out["second_cell"] = run(kc, "6 * 7")
        kc.stop_channels()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    json.dump(out, sys.stdout, indent=1, default=str)


if __name__ == "__main__":
    main()
