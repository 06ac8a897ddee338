import shutil

from bot.settings import REPO_ROOT
from bot.training import model_path, training_fingerprint


def _copy_inputs(tmp_path):
    for entry in ("config.yml", "domain", "data"):
        source = REPO_ROOT / entry
        if source.is_dir():
            shutil.copytree(source, tmp_path / entry)
        else:
            shutil.copy(source, tmp_path / entry)
    return tmp_path


def test_fingerprint_is_stable_and_follows_inputs(tmp_path):
    root = _copy_inputs(tmp_path)
    first = training_fingerprint(root)
    assert training_fingerprint(root) == first
    (root / "data" / "nlu" / "extra.yml").write_text('version: "3.1"\nnlu: []\n')
    assert training_fingerprint(root) != first


def test_model_path_names_the_fingerprint(tmp_path):
    root = _copy_inputs(tmp_path)
    path = model_path(tmp_path / "models", root)
    assert path.name == f"frontdoor-{training_fingerprint(root)}.tar.gz"


def test_fingerprint_follows_the_encoder(tmp_path):
    root = _copy_inputs(tmp_path)
    assert training_fingerprint(root, encoder_id="all-MiniLM-L6-v2@0000") != training_fingerprint(
        root
    )


def test_fingerprint_follows_the_nlu_components_code(tmp_path):
    root = _copy_inputs(tmp_path)
    (root / "bot" / "nlu").mkdir(parents=True)
    (root / "bot" / "nlu" / "component.py").write_text("THRESHOLD = 0.5\n")
    first = training_fingerprint(root)
    (root / "bot" / "nlu" / "component.py").write_text("THRESHOLD = 0.6\n")
    assert training_fingerprint(root) != first
