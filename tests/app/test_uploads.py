"""Upload safety: names are sanitised, files stay under the data directory, type and size are checked."""

from __future__ import annotations

import pytest

from perfdraft.core.errors import InputError, TooLarge, UnsupportedFormat
from perfdraft.core.settings import Settings
from perfdraft.ui.uploads import sanitise_name, save_upload


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..\\..\\win.txt", "/abs/path/x.txt", "....txt",
                                  "a/../../b.txt", "~/.bashrc.txt", "名单 (1).txt", "\x00evil.txt"])
def test_sanitised_names_have_no_directory_part(name):
    safe = sanitise_name(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")


def test_chinese_names_are_kept():
    assert sanitise_name("唐山市2025年绩效目标.pdf") == "唐山市2025年绩效目标.pdf"


def test_save_upload_stays_inside_the_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    path = save_upload("../../../outside.txt", "项目名称：印刷费".encode(), settings)
    assert path.is_relative_to((tmp_path / "data" / "uploads").resolve())
    assert path.read_text(encoding="utf-8") == "项目名称：印刷费"
    assert not (tmp_path / "outside.txt").exists()


def test_wrong_type_and_empty_and_oversize_are_refused(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", max_upload_mb=1)
    with pytest.raises(UnsupportedFormat, match="不支持"):
        save_upload("tool.exe", b"MZ", settings)
    with pytest.raises(InputError, match="为空"):
        save_upload("blank.txt", b"", settings)
    with pytest.raises(TooLarge, match="超过上限 1 MB"):
        save_upload("big.txt", b"x" * (1024 * 1024 + 1), settings)
    uploads = tmp_path / "data" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
