"""Numbers as a person types them, read one way everywhere: the app's text boxes and share links, the
command line and the operator's environment variables. "1e3" is 1000 in all of them; "1_0", "١٠", "１０",
"nan" and "inf" (which Python's float() takes) are refused in all of them."""
import math
import re

# ASCII digits, an optional point and an optional exponent; spaces around are allowed
PLAIN_NUMBER = re.compile(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")
MAX_WHOLE = 2**53  # beyond this a float no longer holds every whole number: "1e30" is not a count of anything
MAX_ECHO = 40  # characters of a bad value repeated back in a message


def echo(text, limit=MAX_ECHO):
    """A value a visitor typed or a link carried, quoted and cut short for a message."""
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def read_number(text, name, hint=""):
    """``text`` as a finite float; ValueError naming ``name`` (``hint`` ends the message) if it is not one."""
    text = str(text)
    if not PLAIN_NUMBER.fullmatch(text):
        raise ValueError(f"{name} must be a number; got {echo(text)}{hint}.")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {echo(text)}.")
    return value


def read_whole(text, name, hint=""):
    """``text`` as an int: "1e3" and "1000.0" are 1000; "2.5" is refused, and so is anything beyond
    MAX_WHOLE ("1e30", a thousand nines), which no setting could use."""
    text = str(text)
    value = float(text) if PLAIN_NUMBER.fullmatch(text) else math.nan
    if math.isinf(value) or abs(value) > MAX_WHOLE:
        raise ValueError(f"{name} is far too large; got {echo(text)}.")
    if not (math.isfinite(value) and value == int(value)):
        raise ValueError(f"{name} must be a whole number; got {echo(text)}{hint}.")
    return int(value)
