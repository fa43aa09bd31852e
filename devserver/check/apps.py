"""The checks of an ExtensionApp's packaging and of handler auth.

Check 6, the ``jupyter-NAME = pkg:launch_instance`` console script and the ``launch_instance``
it points at; check 7, the folders of ``static_paths``/``template_paths`` exist and ship as
package data; check 8, every handler method states its authentication with a decorator.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .base import Finding, count, error, passed, warning
from .meta import console_scripts
from .points import HandlerMethod, eval_path, handler_methods
from .project import Project
from .source import Definition, Module, binding, class_attribute, find_class
from .wheel import package_files_shipped

APP_FOLDERS = ("static_paths", "template_paths")


def check_app(project: Project, package: Module, app: Definition) -> list[Finding]:
    """Checks 6 and 7 for one ExtensionApp class."""
    return [*check_console_script(project, package, app), *check_app_folders(project, package, app)]


def _app_name(project: Project, app: Definition) -> str | None:
    found = class_attribute(project.src, app, "name")
    value = found[1] if found else None
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def check_console_script(project: Project, package: Module, app: Definition) -> list[Finding]:
    """Check 6: ``jupyter-<app name>`` runs the app's ``launch_instance``."""
    cls = getattr(app.node, "name", "?")
    where, line = project.rel(app.module.path), app.node.lineno
    name = _app_name(project, app)
    if name is None:
        return [
            warning(
                "console-script",
                f"{cls} has no literal `name`, which names its jupyter-<name> command",
                f'Set name = "{package.name}" in {cls}.',
                where,
                line,
            )
        ]
    scripts, unknown = console_scripts(project.meta)
    # `jupyter simple-ext` runs `jupyter-simple-ext`: a hyphenated name is a working spelling too.
    spellings = [f"jupyter-{name}", f"jupyter-{name.replace('_', '-')}"]
    script = next((s for s in spellings if s in scripts), spellings[0])
    expected = f"{package.name}:launch_instance"
    declared_in = "setup.py" if "setup.py" in project.meta.files else "pyproject.toml"
    target = scripts.get(script)
    if target is None:
        why = "setup() computes entry_points; could not find" if unknown else "no"
        missing = warning(
            "console-script",
            f"{why} console script {script} for {cls}",
            _script_fix(project, script, expected),
            declared_in,
        )
        return [missing, check_launch_instance(project, expected, cls)]
    found = passed("console-script", f"{script} = {target}", declared_in, severity="warning")
    return [found, check_launch_instance(project, target, cls)]


def _script_fix(project: Project, script: str, target: str) -> str:
    if "setup.py" in project.meta.files:
        return f'Add to setup(): entry_points={{"console_scripts": ["{script} = {target}"]}}'
    return f'Add to pyproject.toml: [project.scripts] {script} = "{target}"'


def check_launch_instance(project: Project, target: str, cls: str) -> Finding:
    """The script's ``module:attr`` exists: a module-level name, or ``Class.launch_instance``."""
    module_name, _, attr = (part.strip() for part in target.partition(":"))
    module = project.src.module(module_name)
    fix = f"Add `launch_instance = {cls}.launch_instance` at module level in {module_name}."
    if module is None:
        return warning(
            "launch-instance", f"{module_name} (in {target}) is not a module of this project", fix
        )
    head, _, rest = attr.partition(".")
    stmt = binding(module.tree, head)
    where = project.rel(module.path)
    if stmt is None or (rest and find_class(project.src, module, head) is None):
        return warning(
            "launch-instance",
            f"{module_name} defines no {attr}, which the jupyter command calls",
            fix,
            where,
        )
    return passed("launch-instance", f"{module_name}:{attr} found", where, stmt.lineno, "warning")


def check_app_folders(project: Project, package: Module, app: Definition) -> list[Finding]:
    """Check 7: each static/template folder of the app exists and ships in the wheel."""
    findings: list[Finding] = []
    cls = getattr(app.node, "name", "?")
    for trait in APP_FOLDERS:
        found = class_attribute(project.src, app, trait)
        if found is None:
            continue
        module, expr, line = found
        where = project.rel(module.path)
        if not isinstance(expr, ast.List | ast.Tuple):
            findings.append(
                warning(
                    "package-data",
                    f"{cls}.{trait} is computed, so its folders could not be checked",
                    _path_fix(trait),
                    where,
                    line,
                )
            )
            continue
        findings += [
            _folder(project, package, module, item, (trait, where, line)) for item in expr.elts
        ]
    return findings


def _path_fix(trait: str) -> str:
    return f'Build {trait} from __file__, e.g. [str(Path(__file__).parent / "static")].'


def _folder(
    project: Project, package: Module, module: Module, item: ast.expr, at: tuple[str, str, int]
) -> Finding:
    """One entry of ``static_paths``/``template_paths``: resolvable, a folder, in the package."""
    trait, where, line = at
    path = eval_path(module, item)
    if path is None or not path.is_absolute():
        return warning(
            "package-data",
            f"{trait} entry {ast.unparse(item)} could not be resolved "
            "statically (a relative path depends on the working directory)",
            _path_fix(trait),
            where,
            line,
        )
    rel = project.rel(path)
    if not path.is_dir():
        return error(
            "package-data",
            f"{trait} names {rel}, which is not a folder",
            f"Create {rel} or correct {trait}.",
            where,
            line,
        )
    if not package.is_package or not path.is_relative_to(package.path.parent):
        return error(
            "package-data",
            f"{trait} folder {rel} is outside the package folder, so a wheel does not hold it",
            f"Move it into {project.rel(package.path.parent)}/.",
            where,
            line,
        )
    return _shipped(project, package, path, (trait, where, line))


def _shipped(project: Project, package: Module, path: Path, at: tuple[str, str, int]) -> Finding:
    """Whether a wheel holds every file of one app folder inside the package."""
    trait, where, line = at
    rel, package_dir = project.rel(path), package.path.parent
    files = [f for f in sorted(path.rglob("*")) if f.is_file() and "__pycache__" not in f.parts]
    if not files:
        return warning(
            "package-data",
            f"{trait} folder {rel} is empty; a wheel holds no empty folders",
            f"Add the files {trait} should serve to {rel}.",
            where,
            line,
        )
    inner = path.relative_to(package_dir).as_posix()
    fix = (
        f"Add to pyproject.toml: [tool.setuptools.package-data] {package.name} = "
        f'["{inner}/**/*"] (or list the folder in MANIFEST.in).'
    )
    shipped, how = package_files_shipped(project.meta, package_dir, package.name, files)
    if shipped is None:
        return warning("package-data", f"could not prove {rel}/ ships: {how}", fix, where, line)
    if not shipped:
        return error(
            "package-data", f"{rel}/ would be missing once installed: {how}", fix, where, line
        )
    return passed("package-data", f"{rel}/ ({count(len(files), 'file')}) ships: {how}", where, line)


def check_handlers(project: Project, package: Module) -> list[Finding]:
    """Check 8: each get/post/put/delete/patch of a handler class has an auth decorator."""
    methods = handler_methods(list(project.src.package_modules(package)))
    bare = [m for m in methods if m.auth != "ok"]
    if not bare:
        summary = (
            (
                f"every handler method in {package.name} states its authentication "
                f"({count(len(methods), 'method')})"
            )
            if methods
            else (f"{package.name} has no JupyterHandler or APIHandler subclass to check")
        )
        return [passed("authenticated", summary, severity="warning")]
    return [_unauthenticated(project, m) for m in bare]


def _unauthenticated(project: Project, method: HandlerMethod) -> Finding:
    name, where = f"{method.cls}.{method.method}", project.rel(method.module.path)
    if method.auth == "authorized":
        return warning(
            "authenticated",
            f"{name} has @authorized but no @tornado.web.authenticated"
            ", so jupyter_server's start-up check counts it as unauthenticated",
            "Add @tornado.web.authenticated above @authorized.",
            where,
            method.line,
        )
    if method.auth == "inner":
        return warning(
            "authenticated",
            f"{name}: @tornado.web.authenticated is not the outermost "
            "decorator, so jupyter_server's start-up check does not see it",
            "Put @tornado.web.authenticated above the other decorators "
            "(as in @authenticated then @authorized).",
            where,
            method.line,
        )
    return warning(
        "authenticated",
        f"{name} has no @tornado.web.authenticated: anyone can call "
        "it unless ServerApp.allow_unauthenticated_access is False",
        "Decorate it with @tornado.web.authenticated (or @allow_unauthenticated if it "
        "must be public).",
        where,
        method.line,
    )
