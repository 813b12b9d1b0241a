"""A notebook runner that gets killed: starts the lesson kernel as Jupyter does (jupyter_client's KernelManager,
which runs the kernelspec's supervisor in a new session with JPY_PARENT_PID set), starts a cell that computes
forever, prints the supervisor's and the kernel's pids as one JSON line, and waits to be killed. orphan.test.ts
kills it with SIGKILL and checks that no kernel process is left.

Usage: python orphan_driver.py --kernel lessonkit --cwd notebooks/
"""
import argparse
import json
import queue
import sys
import time

from jupyter_client import KernelManager

TIMEOUT = 60


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--cwd", required=True)
    args = ap.parse_args()
    km = KernelManager(kernel_name=args.kernel)
    km.start_kernel(cwd=args.cwd)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    msg_id = kc.execute("console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid }))")
    kernel = None
    deadline = time.time() + TIMEOUT
    while kernel is None and time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            kernel = json.loads(msg["content"]["text"].strip().splitlines()[-1])
    # A cell that keeps the kernel busy, as a training run does when the runner dies.
    kc.execute("const until = Date.now() + 600_000; while (Date.now() < until) {}")
    time.sleep(0.5)
    supervisor = km.provisioner.process.pid if km.provisioner and km.provisioner.process else None
    print(json.dumps({"supervisor": supervisor, "kernel": kernel}), flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
