"""kb.cluster and kb.batch's workers: Dask gives the bytes a serial run gives; errors come back."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

import kb.batch
import kb.cluster
import kb.extract
from kb.batch import extract_all, loading_notice
from kb.cli.main import main
from kb.errors import ExtractionError, KbError
from kb.store.cache import FactsCache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def loads(monkeypatch, nlp) -> list:
    """Every pipeline load asked for in this process; the session's pipeline is handed out."""
    calls = []
    monkeypatch.setattr("kb.nlp.pipeline.load_pipeline", lambda *args, **kwargs: calls.append(args) or nlp)
    return calls


@pytest.fixture
def fail_on_first(monkeypatch, seeds):
    real = kb.extract.extract_article

    def extract_article(nlp, article):
        if article.id == seeds[0].id:
            raise ValueError("boom")
        return real(nlp, article)

    monkeypatch.setattr(kb.extract, "extract_article", extract_article)


def _outputs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_cluster_local_cluster_gives_the_bytes_of_a_serial_run(loads, tmp_path):
    # Two real Dask worker processes, each loading the pkuseg model (about a minute, 1 GB each).
    serial, dask = tmp_path / "serial", tmp_path / "dask"
    assert main(["extract", str(ROOT / "seeds"), "--out", str(serial), "--no-cache", "--jobs", "1"]) == 0
    assert main(["extract", str(ROOT / "seeds"), "--out", str(dask), "--no-cache", "--jobs", "2", "--dask"]) == 0
    assert len(loads) == 1  # the serial run's: the Dask run loads the model in its workers only
    assert len(_outputs(dask)) == 4 and _outputs(dask) == _outputs(serial)


def test_cluster_sends_only_what_is_not_cached_and_the_parent_stores_it(tmp_path, seeds, seed_facts, monkeypatch):
    cache = FactsCache(tmp_path / "cache")
    for article, facts in zip(seeds[1:], seed_facts[1:]):
        cache.put(article, facts)
    sent = []

    def on_cluster(articles, address, **options):
        sent.append((list(articles), address, options["workers"]))
        return iter([(0, seed_facts[0])])

    monkeypatch.setattr(kb.cluster, "extract_on_cluster", on_cluster)
    assert extract_all(seeds, cache=cache, dask="tcp://scheduler:8786", jobs=3) == seed_facts
    assert sent == [([seeds[0]], "tcp://scheduler:8786", 3)]
    assert FactsCache(tmp_path / "cache").get(seeds[0]) == seed_facts[0]


def test_cluster_batch_gives_a_failing_article_its_error(nlp, seeds, seed_facts, fail_on_first, monkeypatch):
    plugin = kb.cluster.PipelinePlugin(None, "pkuseg", "lac", {})
    plugin.nlp = nlp
    worker = type("Worker", (), {"plugins": {kb.cluster.PLUGIN: plugin}})()
    monkeypatch.setattr(kb.cluster, "get_worker", lambda: worker)
    first, *rest = pickle.loads(pickle.dumps(kb.cluster.extract_batch(seeds)))  # as Dask sends it back
    assert isinstance(first, ExtractionError) and str(first).startswith(str(seeds[0].path))
    assert "ValueError: boom" in str(first)
    assert rest == seed_facts[1:]


def test_cluster_forked_workers_give_a_failing_article_its_error(seeds, seed_facts, loads, fail_on_first):
    first, *rest = extract_all(seeds, jobs=2)
    assert isinstance(first, ExtractionError) and "ValueError: boom" in str(first)
    assert rest == seed_facts[1:]


def test_cluster_errors_survive_pickling():
    error = ExtractionError("a/b.txt", KeyError("x"))
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.path, again.line) == (ExtractionError, str(error), "a/b.txt", None)


def test_cluster_rule_files_go_with_the_plugin(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "people.yaml").write_bytes(b"a: 1\n")
    (tmp_path / "sub" / "more.yaml").write_bytes(b"b: 2\n")
    assert kb.cluster.rule_files(tmp_path) == {"people.yaml": b"a: 1\n", "sub/more.yaml": b"b: 2\n"}


def test_cluster_without_dask_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    monkeypatch.delitem(sys.modules, "kb.cluster")
    assert main(["extract", str(ROOT / "seeds"), "--no-cache", "--dask"]) == 2
    assert capsys.readouterr().err == ("kb: error: --dask needs Dask's distributed scheduler, which is not "
                                       "installed: pip install 'kb[dask]'\n")


def test_cluster_dask_option_without_address_means_local(monkeypatch):
    seen = {}
    monkeypatch.setattr(kb.batch, "extract_all", lambda articles, **options: seen.update(options) or [])
    main(["extract", str(ROOT / "seeds"), "--no-cache", "--dask"])
    assert seen["dask"] is True and seen["jobs"] >= 1
    main(["extract", str(ROOT / "seeds"), "--no-cache", "--dask", "tcp://127.0.0.1:8786", "-j", "3"])
    assert (seen["dask"], seen["jobs"]) == ("tcp://127.0.0.1:8786", 3)


@pytest.mark.parametrize("terminal", [True, False])
def test_cluster_loading_notice_only_on_a_terminal(monkeypatch, capsys, terminal):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")  # rich then takes stderr for a terminal
    with loading_notice(kb.batch.LOAD_NOTICE):
        pass
    err = capsys.readouterr().err
    assert ("loading the segmentation model" in err) == terminal
    assert terminal or err == ""


def test_cluster_unreachable_scheduler_is_one_line_naming_it():
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(KbError, match=r"^cannot connect to the Dask scheduler at tcp://127\.0\.0\.1:9: ") as error:
            kb.cluster._connect("tcp://127.0.0.1:9", 1)
    assert "\n" not in str(error.value)
