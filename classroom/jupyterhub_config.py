# JupyterHub configuration for a class on one server: one JupyterLab per learner, started as a local process with
# the lesson kernel and a copy of the lessons in the learner's own working directory.
#
# Started by `npm run classroom` (scripts/classroom.mjs) and by the class test, which set the CLASSROOM_* variables
# below; `jupyterhub -f classroom/jupyterhub_config.py` works too. See docs/classroom.md.
#
# Learner accounts here need no system users: DummyAuthenticator with one shared class password, and
# SimpleLocalProcessSpawner, which runs every learner's server as the hub's own user in its own working directory.
# That is fine for a workshop on a machine you own and for the test; it is NOT isolation between learners (they
# share one Unix user). A real deployment changes two lines: an authenticator with real accounts (PAM, OAuth/LTI
# from the school's login) and `jupyterhub.spawner.LocalProcessSpawner` (one system user per learner, the hub run as
# root) - or Zero to JupyterHub on Kubernetes (classroom/z2jh-values.yaml), where each learner gets a pod.
import os
import resource
import shutil
import sys

from jupyterhub.spawner import SimpleLocalProcessSpawner

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env(name, default):
    value = os.environ.get(name, '').strip()
    return value if value else default


STATE = os.path.abspath(env('CLASSROOM_DIR', os.path.join(ROOT, 'build', 'classroom')))
os.makedirs(STATE, exist_ok=True)
LEARNER_PYTHON = env('CLASSROOM_PYTHON', os.path.join(ROOT, '.venv', 'bin', 'python'))
HOMES = os.path.join(STATE, 'home')
# nbgrader's exchange for this class (release -> fetch, submit -> collect); `npm run nbgrader` uses the same default.
EXCHANGE = os.path.abspath(env('NBGRADER_EXCHANGE', os.path.join(STATE, 'exchange')))
os.makedirs(EXCHANGE, exist_ok=True)
LESSONS = os.path.join(ROOT, 'notebooks')

# --- Network: loopback unless told otherwise -------------------------------------------------------------------
c.JupyterHub.ip = env('CLASSROOM_IP', '127.0.0.1')
c.JupyterHub.port = int(env('CLASSROOM_PORT', '8000'))
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = int(env('CLASSROOM_HUB_PORT', '8081'))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('CLASSROOM_PROXY_API_PORT', '8001')}"
# The proxy is the npm package configurable-http-proxy (a devDependency), unless one is named.
c.ConfigurableHTTPProxy.command = [env('CLASSROOM_PROXY', os.path.join(ROOT, 'node_modules', '.bin', 'configurable-http-proxy'))]
c.ConfigurableHTTPProxy.should_start = True
c.Spawner.ip = '127.0.0.1'

# --- State: database, cookie secret, pid file under CLASSROOM_DIR -------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{os.path.join(STATE, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(STATE, 'jupyterhub_cookie_secret')
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, 'jupyterhub-proxy.pid')
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server

# --- Accounts ---------------------------------------------------------------------------------------------------
learners = [u.strip() for u in env('CLASSROOM_LEARNERS', 'learner1,learner2,learner3').split(',') if u.strip()]
admins = [u.strip() for u in env('CLASSROOM_ADMINS', 'instructor').split(',') if u.strip()]
c.JupyterHub.authenticator_class = 'jupyterhub.auth.DummyAuthenticator'
c.DummyAuthenticator.password = env('CLASSROOM_PASSWORD', 'lessonkit')
c.Authenticator.allowed_users = set(learners)
c.Authenticator.admin_users = set(admins)

# An API token for the instructor's scripts and the class test: a service with the admin role.
api_token = os.environ.get('CLASSROOM_API_TOKEN')
services = []
roles = []
if api_token:
    services.append({'name': 'classroom-admin', 'api_token': api_token})
    roles.append(
        {
            'name': 'classroom-admin',
            'scopes': ['admin:users', 'admin:servers', 'access:servers', 'read:users:activity', 'list:users'],
            'services': ['classroom-admin'],
        }
    )


# --- One JupyterLab per learner --------------------------------------------------------------------------------
def parse_bytes(text):
    units = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}
    text = text.strip().upper()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


# RLIMIT_DATA counts every private writable mapping, reserved or touched: a lesson kernel's data segment is well above
# its resident memory (lesson 01 in ci: about 5 GiB of data for 3.4 GiB resident; docs/classroom.md, Sizing).
MEM_LIMIT = parse_bytes(env('CLASSROOM_MEM_LIMIT', '6G'))
INTRA_THREADS = env('CLASSROOM_TF_THREADS', '1')
INTER_THREADS = env('CLASSROOM_TF_INTEROP_THREADS', '1')


def hub_package_path():
    """A folder that makes the hub's own `jupyterhub` package importable from the learners' Python.

    The single-user server (`python -m jupyterhub.singleuser`) must run in the Python that has JupyterLab and the
    lesson kernelspec (.venv), and must be the same JupyterHub version as the hub. When that Python cannot import
    jupyterhub itself (the hub came from Debian's `jupyterhub` package), link the hub's package, and the one
    pure-Python module its single-user part needs that .venv lacks, into build/classroom/hub-python/.
    """
    import jupyterhub

    shim = os.path.join(STATE, 'hub-python')
    os.makedirs(shim, exist_ok=True)
    modules = {'jupyterhub': os.path.dirname(jupyterhub.__file__)}
    try:
        import async_generator

        modules['async_generator'] = os.path.dirname(async_generator.__file__)
    except ImportError:
        pass
    for name, src in modules.items():
        link = os.path.join(shim, name)
        if os.path.islink(link) and os.readlink(link) == src:
            continue
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(src, link)
    return shim


class ClassroomSpawner(SimpleLocalProcessSpawner):
    """SimpleLocalProcessSpawner plus a per-process memory limit (RLIMIT_DATA).

    JupyterHub's local spawners pass `mem_limit` on as MEM_LIMIT but enforce nothing. RLIMIT_DATA caps each
    process of the learner's server (JupyterLab, and each kernel it starts, which inherit the limit): an allocation
    past it fails inside that process (the kernel reports the error or dies; the other learners are unaffected). It
    is per process, not per learner: Kubernetes (cgroups) or systemdspawner enforce one total per learner.
    """

    def make_preexec_fn(self, name):
        base = super().make_preexec_fn(name)
        limit = MEM_LIMIT

        def preexec():
            base()
            if limit:
                resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

        return preexec

    async def stop(self, now=False):
        """Stop with SIGTERM first, never SIGINT.

        LocalProcessSpawner interrupts (SIGINT) first. Without a terminal, jupyter_server leaves SIGINT to Python,
        which raises KeyboardInterrupt in its event loop: the server exits at once and its kernels - each in its own
        session - keep running, orphaned (JupyterHub 3.x's single-user server; 5.x routes SIGINT to the clean stop).
        SIGTERM makes jupyter_server shut its kernels down before it exits. The class test checks that no kernel
        outlives its server.
        """
        await super().stop(now=True)


c.JupyterHub.spawner_class = ClassroomSpawner
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(HOMES, '{username}')
c.Spawner.cmd = [LEARNER_PYTHON, '-m', 'jupyterhub.singleuser']
c.Spawner.default_url = '/lab/tree/lessons/00-smoke.ipynb'
c.Spawner.notebook_dir = '~'
c.Spawner.mem_limit = MEM_LIMIT
# Time for the server to shut its kernels down after SIGTERM, before SIGKILL.
c.Spawner.term_timeout = 20
c.Spawner.start_timeout = int(env('CLASSROOM_START_TIMEOUT', '120'))
c.Spawner.http_timeout = int(env('CLASSROOM_START_TIMEOUT', '120'))
c.Spawner.environment = {
    # One learner's training must not take every core: TensorFlow's pools and oneDNN's OpenMP pool per kernel.
    'TF_NUM_INTRAOP_THREADS': INTRA_THREADS,
    'TF_NUM_INTEROP_THREADS': INTER_THREADS,
    'OMP_NUM_THREADS': INTRA_THREADS,
    'TF_CPP_MIN_LOG_LEVEL': '2',
    # Data sets, decoded images and pre-trained weights are shared (read-mostly; writes are atomic renames), so a
    # class extracts CIFAR-10 and pre-trains the ci backbones once, not once per learner.
    'LESSONKIT_CACHE': env('LESSONKIT_CACHE', os.path.join(os.path.expanduser('~'), '.cache', 'lessonkit')),
    # The hub's package for the single-user server (learners run `python -m nbgrader fetch_assignment` / `submit`
    # in a JupyterLab terminal, with nbgrader installed in their Python).
    'PYTHONPATH': os.pathsep.join(p for p in [hub_package_path(), os.environ.get('CLASSROOM_PYTHONPATH', '')] if p),
    # JupyterLab's lesson kernel runs this checkout's dist/kernel/main.js with this Node.
    'PATH': os.pathsep.join([os.path.dirname(LEARNER_PYTHON), os.path.dirname(sys.executable), os.environ.get('PATH', '')]),
}
_data_dir = os.environ.get('LESSONKIT_DATA_DIR') or os.environ.get('LESSON_DATA_DIR')  # the old name still works
if _data_dir:
    c.Spawner.environment['LESSONKIT_DATA_DIR'] = _data_dir
# A JUPYTER_PATH the hub starts with reaches the learners' servers (JupyterHub passes few variables on), e.g. a
# folder with a kernelspec for this checkout when LEARNER_PYTHON's environment holds another checkout's.
if os.environ.get('JUPYTER_PATH'):
    c.Spawner.environment['JUPYTER_PATH'] = os.environ['JUPYTER_PATH']
c.Spawner.args = [
    # Idle culling inside each learner's server (jupyter_server's own settings): kernels idle for 30 minutes are shut
    # down, and the server stops itself after an hour without activity; the hub then marks it stopped.
    f"--MappingKernelManager.cull_idle_timeout={env('CLASSROOM_KERNEL_IDLE', '1800')}",
    f"--MappingKernelManager.cull_interval={env('CLASSROOM_CULL_INTERVAL', '60')}",
    '--MappingKernelManager.cull_connected=True',
    f"--ServerApp.shutdown_no_activity_timeout={env('CLASSROOM_SERVER_IDLE', '3600')}",
    # No news feed or update check from the internet in a classroom's JupyterLab.
    '--LabApp.news_url=None',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
]
if os.geteuid() == 0:
    # The hub's user is root in containers and CI; learners' servers then run as root too (jupyter_server refuses
    # that unless told). Another reason a real deployment uses LocalProcessSpawner with one system user per learner.
    c.Spawner.args.append('--ServerApp.allow_root=True')


def copy_lessons(spawner):
    """The learner's working directory: ~/lessons (a copy of notebooks/, never overwriting the learner's edits) and
    ~/node_modules pointing at this checkout's packages, so `import ... from 'lessonkit'` resolves from anywhere."""
    home = spawner.home_dir
    lessons = os.path.join(home, 'lessons')
    os.makedirs(lessons, exist_ok=True)
    for name in sorted(os.listdir(LESSONS)):
        src = os.path.join(LESSONS, name)
        dest = os.path.join(lessons, name)
        if os.path.isfile(src) and (name.endswith('.ipynb') or name.endswith('.md')) and not os.path.exists(dest):
            shutil.copy2(src, dest)
    modules = os.path.join(home, 'node_modules')
    if not os.path.lexists(modules):
        os.symlink(os.path.join(ROOT, 'node_modules'), modules)
    # nbgrader's learner side: the course and the class's exchange folder.
    jupyter_config = os.path.join(home, '.jupyter')
    os.makedirs(jupyter_config, exist_ok=True)
    with open(os.path.join(jupyter_config, 'nbgrader_config.py'), 'w') as f:
        f.write(f"c = get_config()\nc.CourseDirectory.course_id = 'lessonkit'\nc.Exchange.root = {EXCHANGE!r}\n")


c.Spawner.pre_spawn_hook = copy_lessons

# --- Idle culler at the hub: jupyterhub-idle-culler as a hub service, when it is installed -------------------------
try:
    import jupyterhub_idle_culler  # noqa: F401

    services.append(
        {
            'name': 'idle-culler',
            'command': [sys.executable, '-m', 'jupyterhub_idle_culler', f"--timeout={env('CLASSROOM_SERVER_IDLE', '3600')}"],
        }
    )
    roles.append(
        {
            'name': 'idle-culler',
            'scopes': ['list:users', 'read:users:activity', 'read:servers', 'delete:servers'],
            'services': ['idle-culler'],
        }
    )
except ImportError:
    pass
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
