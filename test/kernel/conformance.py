"""Standard kernel conformance checks (jupyter_kernel_test) for the lesson kernel.

jupyter_kernel_test is not on the pip mirror; Debian ships it as python3-jupyter-kernel-test, so this runs under the
system Python: JUPYTER_PATH=<prefix>/share/jupyter /usr/bin/python3 -m unittest -v conformance  (cwd: test/kernel)
Every message is validated against the v5 message schema by the package itself.
"""
import unittest

import jupyter_kernel_test


class LessonKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "lessonkit"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = "console.log('hello, world')"
    code_stderr = "console.error('to stderr')"

    completion_samples = [
        {"text": "Math.ab", "matches": {"abs"}},
        {"text": "const greeting = 'hi';\ngreet", "matches": {"greeting"}},
    ]
    complete_code_samples = ["1 + 1", "const x = 3;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const xs = [1, 2,", "if (true) {"]

    code_inspect_sample = "Math.max"

    code_generate_error = "throw new Error('conformance error')"
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'text'", "result": "text"},
    ]
    code_display_data = [
        {"code": "import { display } from 'lessonkit';\ndisplay({ toMimeBundle: () => ({ 'text/plain': 'x', 'text/html': '<i>x</i>' }) });",
         "mime": "text/html"},
    ]


if __name__ == "__main__":
    unittest.main()
