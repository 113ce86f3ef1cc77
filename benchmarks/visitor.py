"""A visitor without a browser: a websocket that speaks Streamlit's own messages (``BackMsg``/``ForwardMsg``)
as a page does. It asks for the page, presses Run (the sidebar button's trigger), reruns the page's
fragments when the server asks (``auto_rerun``: the progress bar and the live view, as a page's timers do),
and sends back every widget's value with every rerun, as a page does (without them Streamlit takes a widget
back to its default). It draws nothing, so what it measures is the server's. Used by bench_class.py and by
the tests that drive a real server (tests/test_server.py). The server must run with XSRF protection off.
"""
import asyncio
import re
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class Visitor:
    """One Streamlit session over a websocket, without a browser."""

    def __init__(self, port, query="", headers=None):
        self.url, self.query, self.headers = f"ws://127.0.0.1:{port}/_stcore/stream", query, headers or {}
        self.page_hash, self.run_button, self.fragments, self.states = "", None, {}, {}
        self.sidebar_estimate, self.headline, self.errors, self.alerts = None, None, [], []
        self.clicked = self.charted = None
        self.progress = None  # the newest progress bar's text: "Training: …" or "Waiting for a free …"
        self.first_page = None  # seconds from open() to the end of the first script run
        self.shown = None  # seconds from open() to a script run that drew results (a results link: no click)
        self.codes = []  # the text of every code block drawn (the share and results links)

    async def open(self):
        self.opened = time.perf_counter()
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           additional_headers=self.headers)
        self.reader = asyncio.create_task(self._read())
        await self._rerun()

    async def _rerun(self, widgets=(), fragment_id="", auto=False):
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_script_hash = self.query, self.page_hash
        state.fragment_id, state.is_auto_rerun = fragment_id, auto
        for widget in widgets:
            state.widget_states.widgets.append(widget)
        for widget_id, (field, value) in self.states.items():  # as a page does: every widget's value
            widget = state.widget_states.widgets.add(id=widget_id)
            if field.endswith("array_value"):
                getattr(widget, field).data.extend(value)
            else:
                setattr(widget, field, int(value) if field == "int_value" else value)
        await self.ws.send(message.SerializeToString())

    async def press_run(self):
        while self.run_button is None:
            await asyncio.sleep(0.05)
        message = BackMsg().rerun_script.widget_states.widgets.add()
        message.id, message.trigger_value = self.run_button, True
        self.clicked = time.perf_counter()
        await self._rerun([message])

    async def _keep_fragment(self, fragment_id, interval):
        """What a page's timer does: rerun the fragment every ``interval`` seconds until told to stop."""
        while self.fragments.get(fragment_id) == interval:
            await asyncio.sleep(interval)
            if self.fragments.get(fragment_id) == interval:
                await self._rerun(fragment_id=fragment_id, auto=True)

    async def _read(self):
        accuracy, charts = False, 0
        async for data in self.ws:
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = message.new_session.page_script_hash
                accuracy, charts = False, 0
            elif kind == "auto_rerun":
                fragment, interval = message.auto_rerun.fragment_id, message.auto_rerun.interval
                if self.fragments.get(fragment) != interval:
                    self.fragments[fragment] = interval
                    asyncio.create_task(self._keep_fragment(fragment, interval))
            elif kind == "stop_auto_rerun":
                self.fragments.clear()
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                what = element.WhichOneof("type")
                self._remember(what, getattr(element, what))
                if what == "button" and element.button.id.endswith("-run"):
                    self.run_button = element.button.id
                elif what == "markdown" and self.clicked is None and " runs" in element.markdown.body[:40]:
                    self.sidebar_estimate = element.markdown.body
                elif what == "markdown" and self.clicked is not None and re.search(r"\d+ runs?\b", element.markdown.body):
                    self.headline = element.markdown.body
                elif what == "heading" and element.heading.body == "Accuracy":
                    accuracy = True
                elif what in ("plotly_chart", "bidi_component"):  # a Plotly chart or a canvas renderer view
                    charts += 1
                elif what == "progress":
                    self.progress = element.progress.text
                elif what == "code":
                    self.codes.append(element.code.code_text)
                elif what == "exception" or (what == "alert" and element.alert.format == 1):  # 1: ERROR
                    self.errors.append(element.exception.message if what == "exception" else element.alert.body)
                if what == "alert":
                    self.alerts.append(element.alert.body)
            elif kind == "script_finished":
                if self.first_page is None:
                    self.first_page = time.perf_counter() - self.opened
                if accuracy and charts >= 2 and self.shown is None:
                    self.shown = time.perf_counter() - self.opened
                if accuracy and charts >= 2 and self.clicked and self.charted is None:
                    self.charted = time.perf_counter()

    def _remember(self, what, widget):
        """The value a page would send back for this widget: what the server set, else what it had, else
        the widget's default (the sidebar's widgets; the others keep their defaults)."""
        kept = self.states.get(getattr(widget, "id", None), (None, None))[1]
        if what == "text_input":
            value = widget.value if widget.set_value else kept if kept is not None else widget.default
            self.states[widget.id] = ("string_value", value)
        elif what == "selectbox":
            value = widget.raw_value if widget.set_value else kept if kept is not None else widget.options[widget.default]
            self.states[widget.id] = ("string_value", value)
        elif what == "multiselect":
            value = list(widget.raw_values) if widget.set_value else kept if kept is not None else \
                [widget.options[i] for i in widget.default]
            self.states[widget.id] = ("string_array_value", value)
        elif what == "number_input":
            value = widget.value if widget.set_value else kept if kept is not None else widget.default
            self.states[widget.id] = ("int_value" if widget.data_type == 0 else "double_value", value)
        elif what == "slider":
            value = list(widget.value) if widget.set_value else kept if kept is not None else list(widget.default)
            self.states[widget.id] = ("double_array_value", value)
        elif what == "checkbox":
            value = widget.value if widget.set_value else kept if kept is not None else widget.default
            self.states[widget.id] = ("bool_value", value)

    async def wait_charted(self, timeout):
        deadline = time.perf_counter() + timeout
        while self.charted is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        return None if self.charted is None else self.charted - self.clicked

    async def close(self):
        """Close the page: the websocket ends, as when a visitor closes the tab."""
        self.fragments.clear()
        self.reader.cancel()
        await self.ws.close()
