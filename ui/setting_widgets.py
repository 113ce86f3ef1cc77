"""The sidebar's widget for each row of the settings table (experiments/fields.py), and the way back: the
widget values that show an AppSettings. A row's ``widget`` says which widget, with what title, help, options
and limits; this module only turns that into Streamlit calls, reads what the visitor chose, and puts each
problem right under its widget in the app's words."""
import dataclasses

import streamlit as st

from experiments.fields import ARCHITECTURE, app_fields, app_range, as_text, data_options, read_typed
from experiments.registry import DATASETS
from experiments.settings import AppSettings, read_entries

from .text import plain


def option_key(row, dataset):
    """The key of a data option's widget for one dataset: "n_samples.moons"."""
    return f"{row.name}.{dataset}"


def _joined(row, values):
    """Typed values as the text box shows them: architectures hold commas, so they are separated by ';'."""
    return ("; " if row.type == ARCHITECTURE else ", ").join(as_text(value) for value in values)


def widget_values(settings, own_datasets=()):
    """{widget key: value} of every sidebar widget that shows ``settings``; the visitor's own datasets
    (``own_datasets``, names) are kept among the datasets, other unknown names left out. Data options are
    given for every built-in dataset (a dataset's own default where ``settings`` chose none), so a dataset
    added later opens on its defaults."""
    values = {}
    for row in app_fields():
        value, widget = getattr(settings, row.setting), row.widget
        if widget.kind == "multiselect" and widget.options is not None:
            values[row.setting] = [v for v in value if v in widget.options]
            values[widget.typed] = _joined(row, [v for v in value if v not in widget.options])
        elif widget.kind == "multiselect":
            values[row.setting] = [v for v in value if v in row.choices() or v in own_datasets]
        else:
            values[row.setting] = as_text(value) if widget.kind == "text" else value
    for name, info in DATASETS.items():
        chosen = settings.dataset_options.get(name, {})
        for row in data_options():
            default = getattr(info, row.name)
            if default is not None:
                values[option_key(row, name)] = chosen.get(row.name, default)
    return values


def _help(row, caps):
    low, high = app_range(row, caps)
    return row.widget.help.format(low=low, high=high) or None


def _show_errors(container, messages):
    for message in messages:
        container.error(plain(message), icon=":material/error:")


class SettingWidgets:
    """Draws the widgets of the settings table's rows, one at a time, collecting each row's value and its
    errors. ``rules``: a class board's (ui/board.py), which disables what the board fixes and refuses an
    architecture over its cap; ``caps``: the server's limits; ``catalog``: the session's datasets."""

    def __init__(self, rules, caps, catalog):
        self.rules, self.catalog = rules, catalog
        self.caps = dataclasses.asdict(caps)  # the caps a widget may name (fields.Widget.high)
        self.values, self.errors = {}, {}

    def draw(self, container, row):
        """Draw ``row``'s widget (and its text box, if it has one) in ``container``; remember its value."""
        kind = row.widget.kind
        getattr(self, f"_{kind}")(container, row)

    def settings(self):
        """The AppSettings the widgets show."""
        s = st.session_state
        options = {}
        for name in (n for n in self.values["datasets"] if n in DATASETS):
            options[name] = {row.name: s[option_key(row, name)] for row in data_options()
                             if getattr(DATASETS[name], row.name) is not None and option_key(row, name) in s}
        return AppSettings(**{row.setting: self.values[row.setting] for row in app_fields()}, dataset_options=options)

    # ----- one method per kind of widget -----
    def _multiselect(self, container, row):
        widget, key = row.widget, row.setting
        if row.name == "dataset":  # the visitor's own datasets are among the choices, described by the catalog
            options = self.catalog.names()
            format_func = lambda name: f"{name} · {self.catalog.info(name).description}"  # noqa: E731
        else:
            options = widget.options if widget.options is not None else row.choices()
            format_func = as_text
        container.multiselect(widget.title, options, key=key, format_func=format_func,
                              **self.rules.widget(key, help=widget.help or None))
        chosen, typed, errors = list(st.session_state[key]), [], []
        if widget.typed:
            typed, errors = read_entries(row, st.session_state[widget.typed])
        if not chosen and not typed:  # in the app's words, under the field, not "'lrs' must be a non-empty list"
            _show_errors(container, [f"Choose at least one {row.label}" + (", or add one below." if widget.typed
                                                                          else ".")])
            self.errors[f"{key}.empty"] = [row.label]
        if row.type == ARCHITECTURE:  # a class board's parameter cap, for those chosen above and those typed below
            self.errors[f"{key}.board"] = self.rules.refused(chosen)
            _show_errors(container, self.errors[f"{key}.board"])
            errors = errors or self.rules.refused(typed)
        if widget.typed:
            container.text_input(widget.typed_title, key=widget.typed, placeholder=widget.placeholder or None,
                                 help=widget.typed_help or None)
            _show_errors(container, errors)
            new = [value for value in typed if value not in chosen]
            if new and not errors:  # what the box added, as the multiselect above would show it
                container.caption(f"Adds {', '.join(as_text(value) for value in new)}.")
            typed = _last_good(widget.typed, typed, errors, [])
        self.errors[key] = errors
        self.values[key] = tuple(dict.fromkeys(chosen + typed))

    def _text(self, container, row):
        key = row.setting
        container.text_input(row.widget.title, key=key, **self.rules.widget(key, help=_help(row, self.caps)))
        try:
            value, self.errors[key] = read_typed(row, st.session_state[key], self.caps), []
        except ValueError as error:
            value, self.errors[key] = None, [str(error)]
            _show_errors(container, self.errors[key])
        self.values[key] = _last_good(key, value, self.errors[key], row.default)

    def _select(self, container, row):
        key = row.setting
        container.selectbox(row.widget.title, row.widget.options, key=key,
                            format_func=lambda v: f"{v} batch" if v == row.none_as else str(v),
                            **self.rules.widget(key, help=_help(row, self.caps)))
        self.values[key] = st.session_state[key]

    def _number(self, container, row, key=None, info=None):
        key = key or row.setting
        widget, (low, high) = row.widget, app_range(row, self.caps, info)
        number = float if row.type is float else int
        container.number_input(widget.title, min_value=number(low), max_value=None if high is None else number(high),
                               step=widget.step, format=widget.format, key=key,
                               **self.rules.widget(key, help=_help(row, self.caps)))
        self.values[key] = number(st.session_state[key])

    def _slider(self, container, row, key=None, info=None):
        key = key or row.setting
        low, high = app_range(row, self.caps, info)
        container.slider(row.widget.title, low, high, step=row.widget.step, key=key,
                         **self.rules.widget(key, help=_help(row, self.caps)))
        self.values[key] = st.session_state[key]

    def data_options(self, container, name):
        """The options of built-in dataset ``name`` (samples, noise, test fraction), each as its row says,
        and what a dataset without one of them is instead."""
        info, absent = DATASETS[name], []
        for row in data_options():
            if getattr(info, row.name) is None:
                absent.append(row.absent)
            else:
                getattr(self, f"_{row.widget.kind}")(container, row, key=option_key(row, name), info=info)
        if absent:
            container.caption(f"Fixed for {plain(name)}: {', '.join(absent)}.")


def _last_good(key, value, errors, default):
    """A typed field's value; while it has ``errors``, the last value it had without any (``default`` if it
    never had one), so a link copied meanwhile restores what the visitor chose, not a stand-in."""
    if errors:
        return st.session_state.get(f"last_good.{key}", default)
    st.session_state[f"last_good.{key}"] = value
    return value
