"""What the functions of each module call, for the audit's practices 1, 3 and 4.

Whether an endpoint blocks the event loop or does CPU-heavy work in the request
depends on the calls in its own body, in its dependencies' bodies (often in another
module) and in the project's helpers it calls. One per-file pass summarises every
module-level function, class method and route of a module: the calls of its own
body (not of nested functions, classes or lambdas: those run when called, maybe in a
thread) that

- are in the table of blocking calls (`blocking_calls`), resolved precisely: through
  the module's imports (module level, including those under ``if``/``try``) and the
  function's own imports; a name the function binds itself (a parameter, an
  assignment) shadows an import, and ``open`` is the builtin only when nothing else
  binds it;
- are an HTTP method of a sync client the function creates (``with httpx.Client()
  as client: client.get(...)``, ``s = requests.Session()``), which the table names
  ``httpx.Client.get``;
- do I/O on a synchronous SQLAlchemy or SQLModel session: ``execute``, ``query``,
  ``commit``... on a parameter annotated ``Session`` (or ``Annotated[Session, ...]``)
  or a name bound by ``with Session(...) as s`` / ``s = Session(...)``, unless the
  call is awaited (an ``AsyncSession`` annotated ``Session``);
- run a heavy CPU library (`HEAVY_LIBRARIES`): a call resolved into one of them
  other than the cheap ones (`LIGHT_CALLS`), or a call on a name assigned from such a
  call, in the function or at module level (``model = SentenceTransformer(...)``
  then ``model.encode(...)``);
- may be the project's own functions: the resolved name of every other call, for the
  checks to look up one level deep.

A function passed to ``run_in_threadpool(f, ...)`` or ``asyncio.to_thread(f, ...)``
is not called by the route, so it is not one of its calls. The module's
``Depends(...)``/``Security(...)`` targets, wherever they are written (parameters,
``Annotated`` aliases, ``dependencies=[...]``), and its top-level imports (for
re-exports) complete the summary. Names are absolute dotted names from the root.
"""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi_codemods.analysis import routes
from fastapi_codemods.analysis.astindex import nodes_of
from fastapi_codemods.analysis.astnames import ImportMap, import_bindings
from fastapi_codemods.analysis.blocking_calls import blocking_entry
from fastapi_codemods.analysis.filepasses import FilePass
from fastapi_codemods.analysis.side_effects import DEPENDS
from fastapi_codemods.engine.fileinfo import FileInfo

Function = ast.FunctionDef | ast.AsyncFunctionDef

HEAVY_LIBRARIES = frozenset({
    "torch", "torchvision", "torchaudio", "transformers", "sentence_transformers", "diffusers", "sklearn",
    "tensorflow", "keras", "onnxruntime", "PIL", "cv2", "skimage", "spacy", "xgboost", "lightgbm",
    "ultralytics", "whisper", "faster_whisper", "easyocr", "pytesseract", "pandas", "passlib", "bcrypt", "argon2",
})
# Password hashing: slow on purpose, and meant for a sync route's thread (the C code
# releases the GIL); evidence only where async code reaches it.
HASHING_LIBRARIES = frozenset({"passlib", "bcrypt", "argon2"})
# Calls into a heavy library that do no heavy work themselves: device and mode
# switches, and ``PIL.Image.open``, which only reads the header (what is done with
# the image afterwards is heavy, and is found through the name it is assigned to).
LIGHT_CALLS = frozenset({
    "torch.device", "torch.no_grad", "torch.inference_mode", "torch.set_grad_enabled", "torch.manual_seed",
    "torch.is_tensor", "torch.get_num_threads", "torch.set_num_threads", "torch.dtype", "PIL.Image.open",
    "cv2.setNumThreads", "passlib.context.CryptContext", "bcrypt.gensalt", "argon2.PasswordHasher",
    "pandas.isna", "pandas.notna", "pandas.isnull", "pandas.notnull", "pandas.Timestamp", "pandas.Timedelta",
})
LIGHT_PREFIXES = ("torch.cuda.", "torch.backends.", "torch.mps.", "transformers.logging.", "tensorflow.config.",
                  "PIL.ImageFile.")
SESSION_CLASSES = frozenset({
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlmodel.Session", "sqlmodel.orm.session.Session",
})
# A module-level ``SessionLocal = sessionmaker(...)``: calling it opens a sync session
# (unless ``class_=AsyncSession``).
SESSION_FACTORIES = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker",
                               "sqlalchemy.orm.scoped_session", "sqlalchemy.orm.scoping.scoped_session"})
SESSION = "SESSION"  # a session source known in the module itself
SESSION_IO = frozenset({"execute", "query", "commit", "scalar", "scalars", "get", "flush", "refresh", "merge",
                        "rollback", "exec"})
# Sync HTTP clients: a name bound to one in the function makes ``name.get(...)`` the
# table's ``requests.Session.get``.
SYNC_CLIENTS = {"requests.Session": "requests.Session", "requests.session": "requests.Session",
                "requests.sessions.Session": "requests.Session", "httpx.Client": "httpx.Client",
                "boto3.client": "boto3.client", "boto3.resource": "boto3.resource"}
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
MAX_HOPS = 8
NEEDLES = ()  # every file: a module of imports alone may re-export a dependency


@dataclass(frozen=True)
class Call:
    """One call of a function's own body: ``name`` is what it resolved to (a
    qualified name, a session method ``db.query``, or a heavy chain
    ``PIL.Image.open(...).resize``)."""

    line: int
    column: int
    name: str


@dataclass(frozen=True)
class FunctionCalls:
    """One function's summary; ``qualified`` is ``module.f`` or ``module.Class.f``
    (a route nested in a factory function is summarised too, ``top_level`` False)."""

    qualified: str
    line: int
    is_async: bool
    is_route: bool
    top_level: bool
    blocking: tuple[Call, ...]
    session_io: tuple[Call, ...]
    heavy: tuple[Call, ...]
    calls: tuple[Call, ...]
    pending_session: tuple[tuple[Call, str], ...] = ()
    """Session methods called on a name whose source another module decides:
    (call, ``call:Q`` / ``depends:Q`` / ``alias:Q``), see `session_source`."""
    returns: tuple[str, ...] = ()
    """What the function returns or yields: `SESSION`, or ``call:Q`` for a call's result."""

    @property
    def name(self) -> str:
        return self.qualified.rpartition(".")[2]


@dataclass(frozen=True)
class ModuleCalls:
    module: str
    functions: tuple[FunctionCalls, ...]
    depends: tuple[str, ...]
    """Every resolved ``Depends(...)``/``Security(...)`` target of the module."""
    reexports: tuple[tuple[str, str], ...]
    """(local name, qualified name) of each module-level import."""
    heavy_imports: tuple[str, ...]
    """The heavy libraries the module imports, anywhere in it."""
    has_route: bool
    uses_depends: bool
    """Some ``Depends(...)``/``Security(...)`` call, resolved or not."""
    session_sources: tuple[tuple[str, str], ...] = ()
    """(qualified name, source) of module-level session factories (`SESSION`) and
    ``Annotated[T, Depends(f)]`` aliases (`SESSION` or ``depends:f``)."""


def module_level_statements(tree: ast.Module) -> list[ast.stmt]:
    """The module's statements, including those under ``if``, ``try`` and ``with``
    at module level (``if TYPE_CHECKING:``, ``try: import x except ImportError``)."""
    found: list[ast.stmt] = []
    stack = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, (ast.If, ast.Try, ast.With)) or type(node).__name__ == "TryStar":
            blocks = [getattr(node, name, []) for name in ("body", "orelse", "finalbody")]
            blocks += [handler.body for handler in getattr(node, "handlers", [])]
            stack.extend(reversed([statement for block in blocks for statement in block]))
    return found


class _Own:
    """The nodes of one function's own body that its summary reads, found by one
    sweep of the module (`_own_nodes`) instead of a walk of every function."""

    __slots__ = ("calls", "awaits", "bindings", "imports", "stores", "nested", "returns")

    def __init__(self) -> None:
        self.calls: list[ast.Call] = []
        self.awaits: list[ast.Await] = []
        self.bindings: list[ast.Assign | ast.withitem] = []
        self.imports: list[ast.Import | ast.ImportFrom] = []
        self.stores: list[ast.Name] = []
        self.nested: list[str] = []
        self.returns: list[ast.Return | ast.Yield] = []


class _Locals:
    """The names one function binds itself, and what its own imports bind."""

    def __init__(self, function: Function, own: _Own, package: str) -> None:
        arguments = function.args
        self.bound = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                           *filter(None, [arguments.vararg, arguments.kwarg])]}
        self.bound.update(own.nested)
        self.bound.update(node.id for node in own.stores)
        self.imports: dict[str, str] = {}
        # the first import of a name in source order wins, as it always has
        for node in sorted(own.imports, key=lambda node: (node.lineno, node.col_offset), reverse=True):
            for name, qualified in import_bindings(ast.Module(body=[node], type_ignores=[]), package).items():
                self.imports[name] = min(qualified)


class _Resolver:
    """Precise names in one module: imports, module-level definitions, builtins."""

    def __init__(self, tree: ast.Module, info: FileInfo) -> None:
        statements = module_level_statements(tree)
        self.module = info.module
        self.imports = ImportMap(ast.Module(body=statements, type_ignores=[]), info.package)
        self.defined = {node.name for node in statements
                        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        self.heavy_objects: dict[str, str] = {}
        self.factories: set[str] = set()
        self.clients: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        for node in statements:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                origin = self.heavy_chain(node.value, None)
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if origin is not None:
                    self.heavy_objects.update((name, origin) for name in names)
                if self._sync_factory(node.value):
                    self.factories.update(names)
                client = SYNC_CLIENTS.get(self.qualified(node.value.func, None) or "")
                if client is not None:
                    self.clients.update((name, client) for name in names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Subscript):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                source = self.annotation_source(node.value)
                if source is not None:
                    self.aliases.update((t.id, source) for t in targets if isinstance(t, ast.Name))

    def _sync_factory(self, call: ast.Call) -> bool:
        name = self.qualified(call.func, None)
        if name not in SESSION_FACTORIES:
            return False
        if any(isinstance(arg, ast.Call) for arg in call.args):  # scoped_session(sessionmaker(...))
            return all(self._sync_factory(arg) for arg in call.args if isinstance(arg, ast.Call))
        given = next((k.value for k in call.keywords if k.arg == "class_"), None)
        return given is None or "Async" not in (self.qualified(given, None) or ast.unparse(given))

    def session_key(self, name: str | None) -> str | None:
        """The source a call of ``name`` gives: `SESSION` for a session class or a
        factory of the module, ``call:name`` for anything another module decides."""
        if name is None or name.startswith("builtins."):
            return None
        if name in SESSION_CLASSES or name.rpartition(".")[0] == self.module and name.rpartition(".")[2] in \
                self.factories:
            return SESSION
        return f"call:{name}"

    def call_source(self, func: ast.expr, local: _Locals | None) -> str | None:
        """`session_key` of a call of ``func``; a module-level factory by its bare name too."""
        if isinstance(func, ast.Name) and func.id in self.factories and (local is None or func.id not in local.bound):
            return SESSION
        return self.session_key(self.qualified(func, local))

    def annotation_source(self, annotation: ast.expr | None) -> str | None:
        """`SESSION` for ``Session`` or ``Annotated[Session, ...]``, ``depends:f`` for
        ``Annotated[T, Depends(f)]``, ``alias:Q`` for a name another module may define
        as such an alias; None otherwise."""
        if annotation is None:
            return None
        if isinstance(annotation, ast.Subscript) and self.qualified(annotation.value, None) in ANNOTATED:
            elements = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            if elements and self.qualified(elements[0], None) in SESSION_CLASSES:
                return SESSION
            for element in elements[1:]:
                target = self.depends_target(element)
                if target is not None:
                    return f"depends:{target}"
            return None
        if isinstance(annotation, (ast.Name, ast.Attribute)):
            name = self.qualified(annotation, None)
            if name in SESSION_CLASSES:
                return SESSION
            if isinstance(annotation, ast.Name) and annotation.id in self.aliases:
                return self.aliases[annotation.id]
            return f"alias:{name}" if name is not None else None
        return None

    def depends_target(self, node: ast.expr | None) -> str | None:
        if not isinstance(node, ast.Call) or self.qualified(node.func, None) not in DEPENDS:
            return None
        target = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "dependency"), None)
        return self.qualified(target, None) if isinstance(target, (ast.Name, ast.Attribute)) else None

    def root(self, name: str, local: _Locals | None) -> str | None:
        """What a bare name means in a function with ``local`` bindings."""
        if local is not None:
            if name in local.imports:
                return local.imports[name]
            if name in local.bound:
                return None
        if name in self.imports.names:
            return self.imports.names[name]
        if name in self.defined:
            return f"{self.module}.{name}"
        return "builtins.open" if name == "open" else None

    def qualified(self, func: ast.expr, local: _Locals | None) -> str | None:
        parts: list[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None
        base = self.root(func.id, local)
        return None if base is None else ".".join([base, *reversed(parts)])

    def heavy_chain(self, node: ast.expr, local: _Locals | None,
                    objects: Mapping[str, str] | None = None) -> str | None:
        """``PIL.Image.open(...).resize`` for a chain of attributes and calls rooted
        in a heavy library or in a name assigned from one; None for anything else."""
        parts: list[str] = []
        while isinstance(node, (ast.Attribute, ast.Call)):
            parts.append(f".{node.attr}" if isinstance(node, ast.Attribute) else "(...)")
            node = node.value if isinstance(node, ast.Attribute) else node.func
        if not isinstance(node, ast.Name):
            return None
        base = self._heavy_root(node.id, local, objects or {})
        return None if base is None else base + "".join(reversed(parts))

    def _heavy_root(self, name: str, local: _Locals | None, objects: Mapping[str, str]) -> str | None:
        """A heavy origin for ``name``: the function's own heavy objects first, then
        (unless the function binds the name) the module's, then imports."""
        if name in objects:
            return objects[name]
        if local is not None and name in local.bound and name not in local.imports:
            return None
        if (local is None or name not in local.imports) and name in self.heavy_objects:
            return self.heavy_objects[name]
        base = self.root(name, local)
        return base if base is not None and base.split(".")[0] in HEAVY_LIBRARIES else None


def is_light(chain: str) -> bool:
    root = chain.split(".")[0]
    if root in HASHING_LIBRARIES and chain.count("(...)") >= (1 if root == "bcrypt" else 2):
        return True  # a method of a hash (``hashpw(...).decode()``), not of a hasher
    return chain in LIGHT_CALLS or chain.startswith(LIGHT_PREFIXES)


def request_calls(info: FileInfo, tree: ast.Module, text: str, options: Mapping[str, Any]) -> ModuleCalls:
    """The module's summary (see the module docstring)."""
    resolver = _Resolver(tree, info)
    route_functions = routes.routes(tree)
    functions = list(_functions(tree, info.module, route_functions))
    scopes = _Scopes(tree)
    own = _own_nodes(tree, scopes, [function for function, _, _ in functions])
    heavy_imports = {qualified.split(".")[0] for names in import_bindings(tree, info.package).values()
                     for qualified in names} & HEAVY_LIBRARIES
    kinds = _Kinds(text, info, bool(heavy_imports))
    attributes = _session_attributes(tree, resolver)
    summaries = [
        _summary(function, qualified, function in route_functions, top, resolver, info, own[id(function)], kinds,
                 attributes.get(qualified.rpartition(".")[0], {}))
        for function, qualified, top in functions
    ]
    depends_calls = _depends_calls(tree, text, resolver)
    return ModuleCalls(
        module=info.module,
        functions=tuple(summaries),
        depends=tuple(sorted(_depends_targets(tree, scopes, resolver, depends_calls))),
        reexports=tuple(sorted(resolver.imports.names.items())),
        heavy_imports=tuple(sorted(heavy_imports)),
        has_route=bool(route_functions),
        uses_depends=bool(depends_calls),
        session_sources=tuple(sorted([(f"{info.module}.{name}", SESSION) for name in resolver.factories]
                                     + [(f"{info.module}.{name}", source)
                                        for name, source in resolver.aliases.items()])),
    )


def _parameter_sources(function: Function, resolver: _Resolver) -> dict[str, str]:
    """Parameters that may be a sync session: annotated with one (or an alias of
    one), or given by a dependency (``db=Depends(get_db)``) that may yield one."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: dict[str, ast.expr] = dict(zip([a.arg for a in positional[len(positional) - len(arguments.defaults):]],
                                             arguments.defaults))
    defaults.update((a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None)
    found = {}
    for arg in [*positional, *arguments.kwonlyargs]:
        source = resolver.annotation_source(arg.annotation)
        if source is None:
            target = resolver.depends_target(defaults.get(arg.arg))
            source = f"depends:{target}" if target is not None else None
        if source is not None:
            found[arg.arg] = source
    return found


def _session_attributes(tree: ast.Module, resolver: _Resolver) -> dict[str, dict[str, str]]:
    """``Class`` (qualified) -> ``self.<attr>`` set in a method from a parameter that
    may be a sync session (``def __init__(self, db: Session): self.db = db``)."""
    found: dict[str, dict[str, str]] = {}
    for node in module_level_statements(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for item in node.body:
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or not item.args.args:
                continue
            sources = None
            for statement in item.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Name):
                    sources = _parameter_sources(item, resolver) if sources is None else sources
                    for target in statement.targets:
                        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                                and target.value.id == "self" and statement.value.id in sources:
                            found.setdefault(f"{resolver.module}.{node.name}", {})[target.attr] = \
                                sources[statement.value.id]
    return found


def _depends_calls(tree: ast.Module, text: str, resolver: _Resolver) -> list[ast.Call]:
    """The module's ``Depends(...)``/``Security(...)`` calls. A name resolves to one
    only through a word the text holds, the call's attribute or a bare name bound
    to one: the others need no resolution."""
    if "Depends" not in text and "Security" not in text:
        return []
    last = {name.rpartition(".")[2] for name in DEPENDS}
    names = {name for name, qualified in resolver.imports.names.items() if qualified in DEPENDS}
    names.update(name for name in resolver.defined if f"{resolver.module}.{name}" in DEPENDS)
    attribute, bare = ast.Attribute, ast.Name
    return [
        call for call in nodes_of(tree, ast.Call)
        if ((call.func.__class__ is attribute and call.func.attr in last)  # type: ignore[attr-defined]
            or (call.func.__class__ is bare and call.func.id in names))  # type: ignore[attr-defined]
        and resolver.qualified(call.func, None) in DEPENDS
    ]


class _Kinds:
    """Which kinds of calls the module can hold at all, to skip the others' work in
    every function. A name that resolves to a session class or a sync client ends
    in a word the text holds (the imported name or the attribute). One rooted in a
    heavy library comes from an import of it (anywhere in the module:
    ``heavy_imports``) or, through a relative import or a module-level definition,
    from the module's own package, when that is a heavy library's."""

    def __init__(self, text: str, info: FileInfo, heavy_imports: bool) -> None:
        own_package = {info.module.split(".")[0], info.package.split(".")[0]} & HEAVY_LIBRARIES
        self.sessions = "Session" in text
        self.clients = any(word in text for word in ("Session", "session", "Client"))
        self.heavy = heavy_imports or bool(own_package)


def _functions(tree: ast.Module, module: str, route_functions: Mapping[Function, set[str]]
               ) -> Iterator[tuple[Function, str, bool]]:
    """(function, qualified name, module-level or class-level) of the module's
    functions and methods, then of the routes nested elsewhere."""
    seen: set[Function] = set()
    for node in module_level_statements(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            seen.add(node)
            yield node, f"{module}.{node.name}", True
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    seen.add(item)
                    yield item, f"{module}.{node.name}.{item.name}", True
    for function in route_functions:
        if function not in seen:
            yield function, f"{module}.{function.name}", False


def _summary(function: Function, qualified: str, is_route: bool, top_level: bool, resolver: _Resolver,
             info: FileInfo, own: _Own, kinds: _Kinds, attributes: Mapping[str, str]) -> FunctionCalls:
    blocking: list[Call] = []
    session_io: list[Call] = []
    pending: list[tuple[Call, str]] = []
    heavy: list[Call] = []
    calls: list[Call] = []
    returns: list[str] = []
    if own.calls:  # without a call, nothing else of the body matters
        local = _Locals(function, own, info.package)
        sources = _session_sources(function, own, resolver, local)
        sources.update((f"self.{attr}", source) for attr, source in attributes.items())
        clients = _client_names(own, resolver, local) if kinds.clients else {}
        if resolver.clients:
            clients = {**{n: c for n, c in resolver.clients.items() if n not in local.bound}, **clients}
        objects = _heavy_objects(own, resolver, local) if kinds.heavy else {}
        awaited = {id(node.value) for node in own.awaits}
        heavy_ids: set[int] = set()
        for call in sorted(own.calls, key=_position):
            # ``await session.execute(...)``: an async session, whatever the annotation says
            session = None if id(call) in awaited or not sources else _session_method(call.func, sources)
            name = (_client_method(call.func, clients) if clients else None) or resolver.qualified(call.func, local)
            chain = resolver.heavy_chain(call.func, local, objects) if kinds.heavy else None
            if session is not None and session[1] == SESSION:
                session_io.append(_call(call, session[0]))
            elif name is not None and blocking_entry(name) is not None:
                blocking.append(_call(call, name))
            elif session is not None:
                pending.append((_call(call, session[0]), session[1]))
                if name is not None and not name.startswith("builtins."):
                    calls.append(_call(call, name))
            elif chain is not None:
                inner = call.func.value if isinstance(call.func, ast.Attribute) else None
                if not is_light(chain) and id(inner) not in heavy_ids:  # ``hashpw(...).decode()``: one piece
                    heavy.append(_call(call, chain))
                    heavy_ids.add(id(call))
            elif name is not None and not name.startswith("builtins."):
                calls.append(_call(call, name))
        returns = _returned(own, sources, resolver, local)
    return FunctionCalls(qualified, function.lineno, isinstance(function, ast.AsyncFunctionDef), is_route,
                         top_level, tuple(blocking), tuple(session_io), _one_per_line(heavy), tuple(calls),
                         tuple(pending), tuple(returns))


def _returned(own: _Own, sources: Mapping[str, str], resolver: _Resolver, local: _Locals) -> list[str]:
    """The session sources of what the function returns or yields."""
    found = []
    for node in own.returns:
        value = node.value
        if isinstance(value, ast.Name) and value.id in sources:
            found.append(sources[value.id])
        elif isinstance(value, ast.Call):
            key = resolver.call_source(value.func, local)
            if key is not None:
                found.append(key)
    return sorted(set(found))


def _own_nodes(tree: ast.Module, scopes: _Scopes, functions: list[Function]) -> dict[int, _Own]:
    """The own nodes of each of ``functions`` (by id), as `side_effects.own_nodes`
    finds them: those of its body outside nested functions, classes and lambdas.

    One sweep of the module's cached node index by position replaces a walk of each
    function: a node belongs to the innermost scope whose source span holds its
    start, and to a function's own body when that scope is the function and the node
    starts in its body (not its decorators, defaults or annotations).
    """
    found = {id(function): _Own() for function in functions}
    wanted = {scopes.index[id(function)]: (found[id(function)], _body_start(function)) for function in functions}
    calls = nodes_of(tree, ast.Call)
    for own, call in zip(scopes.owners(wanted, calls), calls):
        if own is not None:
            own.calls.append(call)
    # only a function with calls needs the rest of its body
    wanted = {key: value for key, value in wanted.items() if value[0].calls}
    if not wanted:
        return found
    for nodes, attribute in ((nodes_of(tree, ast.Await), "awaits"), (nodes_of(tree, ast.Import, ast.ImportFrom), "imports"),
                             (nodes_of(tree, ast.Assign), "bindings"), (nodes_of(tree, ast.Return, ast.Yield), "returns")):
        for own, node in zip(scopes.owners(wanted, nodes), nodes):
            if own is not None:
                getattr(own, attribute).append(node)
    items = nodes_of(tree, ast.withitem)
    for own, item in zip(scopes.owners(wanted, [item.context_expr for item in items]), items):
        if own is not None:
            own.bindings.append(item)
    store = ast.Store
    names = [name for name in nodes_of(tree, ast.Name) if name.ctx.__class__ is store]
    for own, name in zip(scopes.owners(wanted, names), names):
        if own is not None:
            own.stores.append(name)
    _nested_names(scopes, wanted, {id(function): function for function in functions})
    return found


def _nested_names(scopes: _Scopes, wanted: dict[int, tuple[_Own, tuple[int, int]]],
                  functions: dict[int, Function]) -> None:
    """The functions and classes defined in a block of a function's own body (``if``,
    ``try``...), which `own_nodes` gives as children of its nodes; one directly in the
    body is the child of no own node, so it never counted."""
    for position, scope in enumerate(scopes.nodes):
        parent = scopes.parents[position]
        if parent in wanted and not isinstance(scope, ast.Lambda):
            function = functions[id(scopes.nodes[parent])]
            if not any(statement is scope for statement in function.body):
                wanted[parent][0].nested.append(scope.name)  # type: ignore[union-attr]


def _body_start(function: Function) -> tuple[int, int]:
    first = function.body[0]
    return first.lineno, first.col_offset


class _Scopes:
    """The module's functions, classes and lambdas, their source spans (from the
    first decorator), and which is innermost where.

    A line no span starts or ends on lies wholly inside the spans that reach it,
    nested ones, so the last one started is its innermost scope: ``by_line`` holds
    it. On the lines where a span starts or ends, ``edges`` lists every span that
    reaches the line, for an exact comparison of positions.
    """

    def __init__(self, tree: ast.Module) -> None:
        # walk order puts an outer scope before an inner one starting at the same place
        spans = sorted(((_scope_start(node), (node.end_lineno or node.lineno, node.end_col_offset or 0), node)
                        for node in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)),
                       key=lambda span: span[0])
        self.nodes = [node for _, _, node in spans]
        self.starts = [start for start, _, _ in spans]
        self.ends = [end for _, end, _ in spans]
        self.index = {id(node): position for position, node in enumerate(self.nodes)}
        self.parents = self._parents()
        last = max((end[0] for end in self.ends), default=0)
        self.by_line: list[int] = [-1] * (last + 2)
        for position, (start, end) in enumerate(zip(self.starts, self.ends)):
            self.by_line[start[0]:end[0] + 1] = [position] * (end[0] - start[0] + 1)
        edge_lines = sorted({start[0] for start in self.starts} | {end[0] for end in self.ends})
        self.edges: dict[int, list[int]] = {line: [] for line in edge_lines}
        for position, (start, end) in enumerate(zip(self.starts, self.ends)):
            for line in edge_lines[bisect_left(edge_lines, start[0]):bisect_right(edge_lines, end[0])]:
                self.edges[line].append(position)

    def _parents(self) -> list[int]:
        """The innermost scope around each scope's span (-1: the module)."""
        parents = []
        stack: list[int] = []
        for position, start in enumerate(self.starts):
            while stack and self.ends[stack[-1]] <= start:
                stack.pop()
            parents.append(stack[-1] if stack else -1)
            stack.append(position)
        return parents

    def innermost(self, line: int, column: int) -> int:
        """The innermost scope whose span holds the position (-1: none)."""
        edges = self.edges.get(line)
        if edges is None:
            return self.by_line[line] if line < len(self.by_line) else -1
        position = (line, column)
        for scope in reversed(edges):
            if self.starts[scope] <= position < self.ends[scope]:
                return scope
        return -1

    def owners(self, wanted: dict[int, tuple[_Own, tuple[int, int]]], nodes: list[ast.expr] | list[ast.stmt]
               ) -> list[_Own | None]:
        """For each node, the own nodes of the wanted function whose own body holds
        its start, if any: one tight loop, as it runs on most of the module's nodes."""
        found: list[_Own | None] = []
        append = found.append
        edges, by_line, size, innermost, get = self.edges, self.by_line, len(self.by_line), self.innermost, wanted.get
        for node in nodes:
            line = node.lineno
            if line in edges:
                target = get(innermost(line, node.col_offset))
            else:
                target = get(by_line[line] if line < size else -1)
            if target is None:
                append(None)
                continue
            own, (body_line, body_column) = target
            append(own if line > body_line or (line == body_line and node.col_offset >= body_column) else None)
        return found

    def in_body(self, scope: int, line: int, column: int) -> bool:
        """Whether the position is in the body of the scope, a function."""
        first = self.nodes[scope].body[0]  # type: ignore[attr-defined]
        return (first.lineno, first.col_offset) <= (line, column)


def _scope_start(node: ast.AST) -> tuple[int, int]:
    decorators = getattr(node, "decorator_list", None)
    first = decorators[0] if decorators else node
    return first.lineno, first.col_offset  # type: ignore[attr-defined]


def _call(call: ast.Call, name: str) -> Call:
    return Call(call.lineno, call.col_offset + 1, name)


def _one_per_line(found: list[Call]) -> tuple[Call, ...]:
    """``model.encode(tokenizer(x))`` is one piece of heavy work, not two."""
    lines: set[int] = set()
    kept = []
    for call in found:
        if call.line not in lines:
            lines.add(call.line)
            kept.append(call)
    return tuple(kept)


def _session_sources(function: Function, own: _Own, resolver: _Resolver, local: _Locals) -> dict[str, str]:
    """Names that may be a sync session -> their source: `SESSION` (a parameter
    annotated with a session class, a name bound to one or to a factory of the
    module) or what another module decides (``call:Q``, ``depends:Q``, ``alias:Q``)."""
    sources = _parameter_sources(function, resolver)
    for value, targets in reversed(_bindings(own)):  # source order: the last binding wins
        if isinstance(value, ast.Call):
            key = resolver.call_source(value.func, local)
            for target in targets:
                if isinstance(target, ast.Name):
                    if key is None:
                        sources.pop(target.id, None)
                    else:
                        sources[target.id] = key
    return sources


def _bindings(own: _Own) -> list[tuple[ast.expr, list[ast.expr]]]:
    """(value, targets) of the assignments and ``with ... as`` of a function's own
    body, last in source order first: the order `own_nodes` gives them in, which
    decides between two clients bound to one name."""
    found: list[tuple[ast.expr, list[ast.expr]]] = []
    for node in own.bindings:
        if isinstance(node, ast.withitem):
            if node.optional_vars is not None:
                found.append((node.context_expr, [node.optional_vars]))
        else:
            found.append((node.value, node.targets))
    found.sort(key=lambda binding: (binding[0].lineno, binding[0].col_offset), reverse=True)
    return found


def _client_names(own: _Own, resolver: _Resolver, local: _Locals) -> dict[str, str]:
    """Names bound to a sync HTTP client the function creates -> its class."""
    clients = {}
    for value, targets in _bindings(own):
        if isinstance(value, ast.Call):
            client = SYNC_CLIENTS.get(resolver.qualified(value.func, local) or "")
            if client is not None:
                clients.update((target.id, client) for target in targets if isinstance(target, ast.Name))
    return clients


def _client_method(func: ast.expr, clients: dict[str, str]) -> str | None:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in clients:
        return f"{clients[func.value.id]}.{func.attr}"
    return None


def _session_method(func: ast.expr, sources: Mapping[str, str]) -> tuple[str, str] | None:
    """(``db.query``, source) when ``func`` is an I/O method called on a name (or
    ``self.<attr>``) that may be a session."""
    if not isinstance(func, ast.Attribute) or func.attr not in SESSION_IO:
        return None
    value = func.value
    if isinstance(value, ast.Name):
        receiver = value.id
    elif isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "self":
        receiver = f"self.{value.attr}"
    else:
        return None
    source = sources.get(receiver)
    return None if source is None else (f"{receiver}.{func.attr}", source)


def _heavy_objects(own: _Own, resolver: _Resolver, local: _Locals) -> dict[str, str]:
    """Names the function assigns from a heavy chain (``img = Image.open(f)``, ``with
    Image.open(f) as img``), in source order so ``img = img.convert("L")`` keeps its origin."""
    objects: dict[str, str] = {}
    for value, targets in sorted(_bindings(own), key=lambda binding: _position(binding[0])):
        origin = resolver.heavy_chain(value, local, objects) if isinstance(value, ast.Call) else None
        for target in targets:
            if isinstance(target, ast.Name):
                if origin is not None and target.id in objects and _root_name(value) == target.id:
                    continue  # ``img = img.convert("L")``: still the image opened before
                if origin is not None:
                    objects[target.id] = origin
                else:
                    objects.pop(target.id, None)
    return objects


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _depends_targets(tree: ast.Module, scopes: _Scopes, resolver: _Resolver, calls: list[ast.Call]) -> set[str]:
    """The resolved target of each of the module's ``Depends(f)``/``Security(f)``
    ``calls``, but a name a function binds (``def make_router(get_user): ... Depends(get_user)``)."""
    if not calls:
        return set()
    binds = _FunctionBindings(tree, scopes)
    targets = set()
    for call in calls:
        target = call.args[0] if call.args else next(
            (keyword.value for keyword in call.keywords if keyword.arg == "dependency"), None)
        instance = isinstance(target, ast.Call)
        if instance:  # ``Depends(RateLimiter(10))``: the instance's ``__call__`` is the dependency
            target = target.func  # type: ignore[union-attr]
        root = _root_name(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
        if root is None or binds.shadowed(call, root):
            continue
        name = resolver.qualified(target, None)  # type: ignore[arg-type]
        if name is not None:
            targets.add(f"{name}.__call__" if instance else name)
    return targets


class _FunctionBindings:
    """The names each function binds anywhere in its body, nested scopes included
    (a parameter, or a Store name): there a name is the function's, not the module's."""

    def __init__(self, tree: ast.Module, scopes: _Scopes) -> None:
        self.scopes = scopes
        store = ast.Store
        stores = sorted(((name.lineno, name.col_offset), name.id) for name in nodes_of(tree, ast.Name)
                        if name.ctx.__class__ is store)
        self.positions = [position for position, _ in stores]
        self.names = [name for _, name in stores]
        self._bound: dict[int, set[str]] = {}

    def shadowed(self, call: ast.Call, name: str) -> bool:
        """Whether a function whose body holds ``call`` binds ``name``."""
        line, column = call.lineno, call.col_offset
        scope = self.scopes.innermost(line, column)
        while scope != -1:
            node = self.scopes.nodes[scope]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and self.scopes.in_body(scope, line, column) \
                    and name in self._bound_in(scope):
                return True
            scope = self.scopes.parents[scope]
        return False

    def _bound_in(self, scope: int) -> set[str]:
        if scope not in self._bound:
            function: Function = self.scopes.nodes[scope]  # type: ignore[assignment]
            arguments = function.args
            bound = {arg.arg for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
            start = bisect_left(self.positions, _body_start(function))
            end = bisect_left(self.positions, self.scopes.ends[scope])
            bound.update(self.names[start:end])
            self._bound[scope] = bound
        return self._bound[scope]


REQUEST_CALLS = FilePass("audit.request_calls", NEEDLES, request_calls)


class ProjectFunctions:
    """The summaries of one root's functions by absolute name, following re-exports
    (``from .database import get_db`` in ``deps/__init__.py``) and source roots: in
    a ``src/`` layout the module ``src.app.deps`` is imported as ``app.deps``."""

    def __init__(self, summaries: Iterator[tuple[FileInfo, ModuleCalls]] | list[tuple[FileInfo, ModuleCalls]],
                 modules: Iterator[str] | set[str]) -> None:
        self.functions: dict[str, tuple[FileInfo, FunctionCalls]] = {}
        self.reexports: dict[str, str] = {}
        for info, module in summaries:
            for function in module.functions:
                if function.top_level:
                    self.functions[function.qualified] = (info, function)
            self.reexports.update((f"{module.module}.{local}", target) for local, target in module.reexports)
        self.modules = set(modules)
        self.packages = {".".join(m.split(".")[:end]) for m in self.modules for end in range(1, m.count(".") + 2)}
        self._roots = self._source_roots()
        self._found: dict[str, tuple[FileInfo, FunctionCalls] | None] = {}

    def _source_roots(self) -> set[str]:
        """Folders that are no package but hold one (``src``): their modules are
        imported without them."""
        roots = set()
        for module in self.modules:
            parts = module.split(".")
            for end in range(1, len(parts)):
                prefix = ".".join(parts[:end])
                if prefix not in self.modules:
                    roots.add(prefix)
        return roots

    def find(self, name: str) -> tuple[FileInfo, FunctionCalls] | None:
        """The function ``name`` means, or None when it is no function of the root."""
        if name not in self._found:
            self._found[name] = self._follow(name)
        return self._found[name]

    def _follow(self, name: str) -> tuple[FileInfo, FunctionCalls] | None:
        """A few hops at most: ``from . import x`` in ``pkg/__init__.py`` makes
        ``pkg.x`` lead to ``pkg.x``'s own re-exports, which may lead back, or longer."""
        for _ in range(MAX_HOPS):
            if name in self.functions:
                return self.functions[name]
            target = self._reexported(name) or self._under_source_root(name)
            if target is None or target == name:
                return None
            name = target
        return None

    def _reexported(self, name: str) -> str | None:
        parts = name.split(".")
        for end in range(len(parts), 1, -1):
            prefix = ".".join(parts[:end])
            if prefix in self.reexports:
                return ".".join([self.reexports[prefix], *parts[end:]])
        return None

    def _under_source_root(self, name: str) -> str | None:
        top = name.split(".")[0]
        if top in self.packages:
            return None
        found = [f"{root}.{name}" for root in self._roots if f"{root}.{top}" in self.packages]
        return found[0] if len(found) == 1 else None


def _position(node: ast.expr) -> tuple[int, int, int, int]:
    """Source order, the inner call of a chain (``model.encode(x)`` in
    ``model.encode(x).tolist()``) first: it names the heavy work."""
    return node.lineno, node.col_offset, node.end_lineno or 0, node.end_col_offset or 0
