"""Your own data: a CSV becomes a dataset with clear messages for what is wrong, then trains like any other."""
import numpy as np
import pytest

from experiments.datasets import Catalog
from experiments.own_data import csv_columns, dataset_from_csv
from experiments.runner import run_grid
from experiments.specs import RunSpec, expand_grid


def blobs_csv(n=120, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.where(rng.random(n) < 0.5, "cat", "dog")
    x = rng.normal(size=(n, 3)) + (labels == "dog")[:, None] * 3.0
    rows = "\n".join(f"{a:.4f},{b:.4f},{label},{c:.4f}" for (a, b, c), label in zip(x, labels))
    return ("height,weight,species,age\n" + rows + "\n").encode()


def test_a_good_file_trains_like_a_built_in_dataset():
    data = dataset_from_csv(blobs_csv(), "species", "pets")
    assert data.name == "csv:pets" and data.class_names == ("cat", "dog") and data.n_features == 3
    assert abs(len(data.y_test) / 120 - 0.25) < 0.02
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-12)
    catalog = Catalog([data])
    results = run_grid(expand_grid(datasets=["csv:pets"], architectures=["[25, 8, 2]"], epochs=40, catalog=catalog),
                       catalog=catalog)
    assert results.runs["layers"][0] == "[3, 8, 2]"
    assert results.runs["test_acc"][0] >= 0.9
    assert csv_columns(blobs_csv()) == ["height", "weight", "species", "age"]


@pytest.mark.parametrize("content, label, message", [
    (b"a,b,label\n1,x,0\n2,3,1\n", "label", "column 'b' must hold numbers; row 2 has 'x' (or choose it as the label"),
    (b"a,b,label\n1,2,0\n,3,1\n", "label", "column 'a' has 1 empty cell"),
    (b"a,b,label\n1,2,0\n2,3,\n", "label", "the label column 'label' has 1 empty cell"),
    (b"a,b,label\n1,2,0\n2,3,0\n", "label", "holds one class only; a classifier needs at least 2"),
    (b"a,label\n" + b"".join(f"{i},{i}\n".encode() for i in range(30)), "label", "30 distinct values; the limit is 20"),
    (b"a,b,label\n1,2,0\n", "nope", "there is no column 'nope'"),
    (b"just one column\n1\n2\n", "x", "at least two columns"),
    (b"", "label", "the file is empty"),
    (b"a,b,label\n", "label", "a header but no rows"),
    (b"a,b,label\n1,2,0\n3,4,5,6\n", "label", "line 3 has 4 values but the header has 3 columns"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "label", "not a text file (it looks binary)"),
    (b"a;b;label\n1;2;x\n3;4;y\n5;6;x\n", "nope", "there is no column 'nope'; the columns are a, b, label"),
    (b"a,b,label\n1e300,2,x\n3,4,y\n", "label", "values must lie within"),
    (b"a,b,label\n1,2,x\n3,4,y\n", "label",  # no test fraction to raise in the app: say what the visitor can do
     "the file has 2 rows, too few to hold out 25% of each class for testing and train on the rest; add rows."),
])
def test_bad_files_get_a_message_that_says_what_to_fix(content, label, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        dataset_from_csv(content, label)


def test_too_many_rows_for_the_caps():
    with pytest.raises(ValueError, match="the file has 120 rows; this server's limit is 50"):
        dataset_from_csv(blobs_csv(), "species", max_samples=50)


def test_a_custom_name_is_unknown_without_its_data():
    with pytest.raises(ValueError, match="'dataset' must be one of"):
        run_grid([RunSpec("csv:pets", "[3, 2]", epochs=1)])


def test_labels_that_look_like_links_stay_text_in_charts():
    """An uploaded label column holding HTML: the charts show it escaped, never as a clickable link."""
    from experiments import figures
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 2))
    label = np.where(x[:, 0] > 0, '<a href="https://evil.example">win</a>', "lose")
    content = "a,b,label\n" + "\n".join(f"{a:.3f},{b:.3f},{c}" for (a, b), c in zip(x, label))
    data = dataset_from_csv(content.encode(), "label", "links")
    catalog = Catalog([data])
    results = run_grid(expand_grid(datasets=[data.name], architectures=["[2, 4, 2]"], epochs=5, catalog=catalog),
                       catalog=catalog, snapshots=2)
    fig = figures.decision_boundary_figure(results, data.name)
    names = " ".join(t.name or "" for t in fig.data) + fig.to_json()
    assert "<a href" not in names and "&lt;a href" in names


def test_semicolon_files_with_decimal_commas():
    """A spreadsheet saved in a European locale: semicolons between fields, commas in numbers."""
    rows = "\n".join(f"{i / 10:.1f};{(i % 7) / 3:.2f};{'a' if i % 2 else 'b'}".replace(".", ",") for i in range(40))
    data = dataset_from_csv(("x;y;label\n" + rows).encode(), "label", "euro")
    assert data.n_features == 2 and len(data.y_train) + len(data.y_test) == 40
