"""`dump_plain_yaml` (model cards' front matter) reads back as the data it was given."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.pages.filters import dump_plain_yaml, dump_yaml

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["yes", "no", "on", "null", "~", "1e5", "0x1F", "- a", "a: b", "#c"])
)
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data)
def test_reads_back_as_the_data(value):
    assert yaml.safe_load(dump_plain_yaml(value)) == value


def test_a_card_header_reads_as_pyyaml_writes_it():
    front = {
        "license": "apache-2.0",
        "tags": ["fraud", "yes"],
        "model-index": [
            {
                "name": "hgb: depth 8",
                "results": [
                    {
                        "task": {"type": "tabular-classification", "name": "Binary"},
                        "metrics": [
                            {"type": "roc_auc", "value": 0.93, "name": "ROC-AUC"},
                            {"type": "fpr", "value": 1e-05, "args": {"threshold": 0.5}},
                        ],
                    }
                ],
            }
        ],
    }
    text = dump_plain_yaml(front)
    assert yaml.safe_load(text) == yaml.safe_load(dump_yaml(front, sort_keys=False)) == front
    assert text.startswith('license: "apache-2.0"\ntags:\n- "fraud"\n')  # block style
