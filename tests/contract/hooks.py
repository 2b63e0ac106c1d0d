"""Schemathesis hooks for Huimin's API contract run (`tests/contract/run`).

The document states the shape of two check-charactered codes with a pattern and names their
format (`credit-code`, `id-number`); no pattern can state a check character, so these
strategies draw codes of the pattern's shape and end them with the right one, as the server's
validators (`entity::rules::codes`) require.
"""

import schemathesis
from hypothesis import strategies as st

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def credit_code(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_CHARSET[(31 - total % 31) % 31]


def id_number(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return first17 + ID_CHECK[total % 11]


charset = st.sampled_from(USCC_CHARSET)
digits = st.sampled_from("0123456789")

schemathesis.openapi.format(
    "credit-code",
    st.tuples(st.text(charset, min_size=2, max_size=2), st.text(digits, min_size=6, max_size=6),
              st.text(charset, min_size=9, max_size=9)).map(lambda t: credit_code("".join(t))),
)
schemathesis.openapi.format(
    "id-number", st.text(digits, min_size=17, max_size=17).map(id_number)
)
