"""The package's shape: a wing per round table, the web in api/ and pages/, no import circle anywhere."""

from pathlib import Path

import grimp

import cowork

PACKAGE = Path(cowork.__file__).parent
WINGS = {"board", "stakeholders", "votes", "actions", "program"}


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.find_modules_directly_imported_by(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_of_cowork_takes_part_in_an_import_circle() -> None:
    graph = grimp.build_graph("cowork")
    assert len(graph.modules) > 100  # the whole package was read
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y"]]


def test_the_domain_has_a_wing_per_round_table_and_a_small_core() -> None:
    domain = PACKAGE / "domain"
    wings = {p.name for p in domain.iterdir() if (p / "__init__.py").exists()}
    core = [p.name for p in domain.glob("*.py") if p.name != "__init__.py"]
    assert wings == WINGS
    assert len(core) <= 13, core  # "about a dozen": the shared core, not a second home for a wing


def test_the_web_holds_the_api_and_the_pages() -> None:
    web = PACKAGE / "web"
    assert (web / "api" / "__init__.py").exists() and (web / "pages" / "__init__.py").exists()
    assert {p.stem for p in web.glob("*.py")} == {
        "__init__",
        "deps",
        "errors",
        "limits",
        "security",
        "statics",
        "throttle",
        "urls",
    }
