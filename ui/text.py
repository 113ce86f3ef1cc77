"""Text a visitor or a file supplied is shown as text, never as Markdown or HTML.

Streamlit renders Markdown in ``st.error``, ``st.warning``, ``st.info``, ``st.caption`` and
``st.markdown``: a link parameter such as ``![x](http://attacker/pixel.png)`` would make every visitor's
browser fetch an image, and ``[Log in again](https://evil.example)`` would be a clickable link on a
trusted page. CommonMark lets any ASCII punctuation be escaped with a backslash, so escaping all of it
leaves nothing for Markdown (or Streamlit's ``:color[...]``, ``:emoji:`` and ``$math$``) to act on.
But GitHub's Markdown, which Streamlit follows, also turns bare addresses into links ("https://…",
"www.…", "name@host.org"), escaped or not: a word joiner (U+2060, zero width) inside each such start
leaves the text as it reads and gives the autolinker nothing to find.
"""
import re
import string

_ESCAPES = {ord(ch): "\\" + ch for ch in string.punctuation}
_AUTOLINK_STARTS = re.compile(r"(?i)(?:https?|ftp|www|mailto|xmpp)|(?=@)")
WORD_JOINER = "\u2060"
MAX_SHOWN = 300  # characters of one supplied value shown at most


def plain(text, limit=MAX_SHOWN):
    """``text`` (any value) escaped for Streamlit's Markdown, on one line, cut to ``limit`` characters."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[:limit] + "…"
    text = _AUTOLINK_STARTS.sub(lambda m: m.group(0)[:1] + WORD_JOINER + m.group(0)[1:], text)
    return text.translate(_ESCAPES)
