"""The gazetteers are data: each surface form names one row, so that a name never depends on
the order in which the matcher returns two rows that share it."""

from __future__ import annotations

import collections

import pytest

from kg.nlp.mentions import Gazetteer


@pytest.mark.parametrize("forms", ["org_surface_forms", "platform_surface_forms"])
def test_every_surface_form_names_one_row(forms):
    rows = collections.defaultdict(set)
    for form, row in getattr(Gazetteer(), forms)():
        rows[form].add(row["id"])
    shared = {form: ids for form, ids in rows.items() if len(ids) > 1}
    assert shared == {}
