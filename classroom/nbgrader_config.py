# nbgrader settings for the lesson kit's assignments (TypeScript, run by the lesson kernel). The course folder is
# this one (classroom/): sources in source/<assignment>/, and nbgrader writes release/, submitted/, autograded/,
# feedback/ and gradebook.db beside them (ignored by git). `npm run nbgrader -- <command>` runs nbgrader here.
import os

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = os.environ.get('NBGRADER_COURSE_ID', 'lessonkit')
c.CourseDirectory.root = os.environ.get('NBGRADER_COURSE_ROOT', os.path.dirname(os.path.abspath(__file__)))
# The exchange (release -> fetch, submit -> collect): a folder every learner can write to. Default: the local class's
# (build/classroom/exchange, which classroom/jupyterhub_config.py also gives the learners). On Kubernetes, a shared
# volume mounted at the same path in every pod.
_repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
c.Exchange.root = os.environ.get('NBGRADER_EXCHANGE', os.path.join(os.environ.get('CLASSROOM_DIR', os.path.join(_repo, 'build', 'classroom')), 'exchange'))

# Per-language settings: the solution regions are TypeScript comments, and the release version's stub throws, so a
# test cell run against an unanswered task fails (and scores 0) with a clear message.
c.ClearSolutions.begin_solution_delimeter = 'BEGIN SOLUTION'
c.ClearSolutions.end_solution_delimeter = 'END SOLUTION'
c.ClearSolutions.code_stub = {
    'typescript': "// YOUR CODE HERE\nthrow new Error('not implemented');",
}
c.ClearSolutions.text_stub = 'YOUR ANSWER HERE'
c.ClearHiddenTests.begin_test_delimeter = 'BEGIN HIDDEN TESTS'
c.ClearHiddenTests.end_test_delimeter = 'END HIDDEN TESTS'

# Autograding runs each notebook with the kernel its metadata names (the lesson kernel, `lessonkit`). The first cell
# loads TensorFlow; allow for a slow, shared machine.
c.Execute.timeout = int(os.environ.get('NBGRADER_CELL_TIMEOUT', '120'))
c.Execute.startup_timeout = int(os.environ.get('NBGRADER_STARTUP_TIMEOUT', '120'))
