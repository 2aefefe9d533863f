"""`normalise_id_number` skips python-stdnum for plain ASCII text; the answer must be `ric.compact`'s."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from qiancheng.people.identity import normalise_id_number

SPELLINGS = [
    "450102198001010012", "45010219800101001x", " 45010219800101001X ", "\t450102198001010012\n",
    "450102 1980 0101 0012", "450102-19800101-0012", "45010219800101001`", "`450102198001010012",
    "", "   ", "abc", "４５０１０２１９８００１０１００１２", "45010219800101001ｘ", "450102198001010012\u3000",
    "450102\u201319800101\u20140012",
]


@pytest.mark.parametrize("raw", SPELLINGS)
def test_the_fast_path_answers_as_stdnum_does(raw: str) -> None:
    assert normalise_id_number(raw) == ric.compact(raw)
