"""A tiny llama-architecture GGUF model for running llama.cpp's real ``llama-server`` in tests.

No model can be downloaded, so we write one: 2 layers, 64 dimensions, 4 narrow heads, a GPT-2
byte-level BPE vocabulary (the 256 byte tokens, ChatML's control tokens, a few junk words and
runs of JSON) and a ChatML chat template; under half a megabyte. A briefing request takes a few
hundred milliseconds, nearly all of it reading the article (one token per byte).

Its answers are noise, but noise that ends. Random weights would write random characters until
``max_tokens``; under a JSON-schema grammar that means strings that never close. So the weights
are random only in a small "noise" part, and otherwise make the model a designed bigram model:

* Every token embedding carries the same constant component (``_BIAS``) and a one-hot "class"
  of the token; the transformer layers never write into those dimensions. After the final RMS
  norm the logit of token ``u`` after token ``t`` is therefore about
  ``bias[u] + table[class(t)][u] + noise``, both parts set in the output matrix.
* An open string wants a junk word, a junk word wants the string closed: every free-text
  string is one junk word ("qzxv"), whatever the temperature. Junk words are letter runs no
  English article contains, so no evidence quote is ever found in an article and every item of
  a briefing is reported unsupported (the tests assert it).
* ``]`` beats ``,`` (arrays close after one element), ``[`` wants an element (lists are not
  empty), ``:`` prefers ``false``, whitespace, backslashes, control and non-ASCII bytes are all
  but forbidden, and the end token is the favourite wherever the grammar allows it.
* The keys and punctuation between the strings of briefing's drafts, and the enum values, are
  single tokens (``STRUCTURE``, ``ENUMS``) preferred over their first byte, so an answer takes
  ~35 decoding steps rather than ~300. The model does not know which one goes where: the
  grammar does.

Without a grammar the end token wins at once (an empty answer); with the server's grammar every
answer is a valid instance of the schema. Everything is seeded, so the file is byte-for-byte the
same on every run.

Usage: ``python -m tests.llama_model OUT.gguf``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ARCH = "llama"
N_EMBD = 64
N_HEAD = 4
HEAD_DIM = 4  # narrow attention: reading a long article costs n² x N_HEAD x HEAD_DIM
N_ATTN = N_HEAD * HEAD_DIM
N_LAYER = 2
N_FF = 128
CONTEXT = 32_768  # the most the server may give a slot; its --ctx-size picks the real context
SEED = 20_251_130

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Letter runs no English article contains: a quote made of them is never grounded.
JUNK = ["qzxv", "vjqk", "xkzq", "zqvj", "jxqz", "qvzx", " qzxj", " vkqz", " zjxq", " xqvk"]
# The JSON between the strings of briefing's drafts (Draft, DigestDraft) and their enum values,
# one token each: the grammar forces these characters anyway, and a token per character would
# make every answer ~300 decoding steps instead of ~40. Only the grammar decides where one may
# go; if the schema changes, they stop matching and answers are spelt byte by byte (slower,
# still valid).
STRUCTURE = [
    '{"title":"', '","situation":"', '","actors":[', '{"name":"', '","kind":"', '","role":"',
    '","evidence":["', '"]}', '],"assessment":{"text":"', '","confidence":"', '"]},"risks":[',
    '{"description":"', '","likelihood":"', '","impact":"', '],"injection_suspected":', "false}",
    '{"points":[', '{"text":"', '","briefings":[', "]}",
]  # fmt: skip
ENUMS = [
    "state", "organisation", "armed group", "person", "other", "low", "moderate", "medium", "high",
]  # fmt: skip
# The runs after which the schema wants an enum value rather than free text.
BEFORE_ENUM = ['","kind":"', '","confidence":"', '","likelihood":"', '","impact":"']
MERGED = "qz"  # the one merge's result: llama.cpp needs a merge list, any will do
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# Embedding layout: dimension 0 is the shared bias component, 1..6 the one-hot class of the
# current token, the rest random noise that the layers mix.
_BIAS = 0
_QUOTE, _JUNK, _COLON, _OPEN, _ENUM, _OTHER = range(1, 7)
_NOISE = 8
_NOISE_EMBED = 0.1  # std of an embedding's noise dimensions
_NOISE_OUT = 0.25  # std of the output matrix's noise columns: about 1 logit of noise
_LAYER_IN = 0.1  # std of the q, k, v, gate and up matrices
_LAYER_OUT = 0.01  # std of attn_output and ffn_down: what the layers add stays small noise


def byte_tokens() -> list[str]:
    """GPT-2's printable stand-ins for the 256 bytes, in byte order (``Ġ`` is the space)."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = dict.fromkeys(printable, 0)
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = 256 + extra
            extra += 1
    return [chr(b if chars[b] == 0 else chars[b]) for b in range(256)]


def byte_level(text: str) -> str:
    """``text`` as a GPT-2 byte-level token is spelt in the vocabulary (" x" is "Ġx")."""
    byte = byte_tokens()
    return "".join(byte[b] for b in text.encode("utf-8"))


def vocabulary() -> list[str]:
    """The token texts, in id order: bytes, control tokens, junk, JSON runs, enums, the merge."""
    words = [*JUNK, *STRUCTURE, *ENUMS, MERGED]
    return [*byte_tokens(), *SPECIAL, *map(byte_level, words)]


def _texts() -> list[str]:
    """The text each token stands for (control tokens as themselves)."""
    return [*(chr(b) for b in range(256)), *SPECIAL, *JUNK, *STRUCTURE, *ENUMS, MERGED]


def _biases(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The shared bias of every token, and the per-class table (class x token).

    Margins between the wanted token and the next best one the grammar allows are 6 logits or
    more (the noise is about 1), so the shape of an answer holds up to temperature 2."""
    index = {text: i for i, text in enumerate(texts)}
    n = len(texts)
    bias = np.full(n, -2.0, dtype=np.float32)  # letters, digits: only where the grammar insists
    table = np.zeros((_OTHER + 1, n), dtype=np.float32)
    for b in range(256):
        if b < 0x21 or b >= 0x7F or chr(b) == "\\":
            bias[b] = -30.0  # control, whitespace, escapes and broken UTF-8: never
    junk = [index[j] for j in JUNK]
    enums = [index[e] for e in ENUMS]
    # Runs of JSON by how they start: '"' closes a string's text, '{' opens an object, ']'
    # closes an array; "false}" ends a Draft.
    closing = [index[s] for s in STRUCTURE if s[0] == '"']
    opening = [index[s] for s in STRUCTURE if s[0] == "{"]
    ending = [index[s] for s in STRUCTURE if s[0] == "]"]
    false = index["false}"]
    # Runs that would be a string's text if the grammar let them in where a string is open.
    not_text = [*enums, *ending, false]
    bias[index["<|im_end|>"]] = 16.0  # the favourite: wherever the grammar allows the end, end
    bias[index["<|endoftext|>"]] = -30.0
    bias[index["<|im_start|>"]] = -30.0
    bias[[*opening, *ending, false, *enums]] = 9.0  # a whole run beats its first character
    bias[closing] = -5.0  # only right after a string's text (the JUNK class)
    for s in STRUCTURE:  # of two runs the grammar allows, the longer: fewer steps
        bias[index[s]] += len(s) / 3
    bias[index['"']] = 1.0
    bias[index["]"]] = 3.0  # close an array rather than add to it
    bias[index[","]] = 0.0
    bias[index["{"]] = 1.0
    bias[index["}"]] = 1.0
    # An open string gets one junk word, never nothing or a run of JSON ...
    table[_QUOTE, junk] = 12.0
    table[_QUOTE, index['"']] = -12.0
    table[_QUOTE, not_text] = -20.0
    # ... and is closed after it (so is an enum value).
    table[_JUNK, index['"']] = 12.0
    table[_JUNK, closing] = 25.0
    table[_JUNK, not_text] = -20.0
    # Where the schema wants an enum, the whole value (the grammar picks which).
    table[_ENUM, enums] = 12.0
    table[_ENUM, [*junk, *ending, false]] = -20.0
    table[_COLON, [false, index["f"]]] = 4.0  # false rather than true
    # A list gets an element before "]" closes it.
    table[_OPEN, [index["{"], index['"'], *opening]] = 6.0
    table[_OPEN, index["1"]] = 14.0
    table[_OPEN, ending] = -12.0
    return bias, table


def _token_class(text: str) -> int:
    """What the model wants next depends only on the class of the current token."""
    if text in JUNK or text in ENUMS:
        return _JUNK  # a string's text: close it next
    if text in BEFORE_ENUM:
        return _ENUM
    return {'"': _QUOTE, ":": _COLON, "[": _OPEN}.get(text[-1:], _OTHER)


def tensors() -> dict[str, np.ndarray]:
    """Every weight, in numpy (out, in) order as GGUFWriter expects."""
    rng = np.random.default_rng(SEED)
    texts = _texts()
    n = len(texts)
    noise = N_EMBD - _NOISE

    def normal(*shape: int, std: float) -> np.ndarray:
        return rng.normal(0.0, std, size=shape).astype(np.float32)

    embed = np.zeros((n, N_EMBD), dtype=np.float32)
    embed[:, _BIAS] = 1.0
    for i, text in enumerate(texts):
        embed[i, _token_class(text)] = 1.0
    embed[:, _NOISE:] = normal(n, noise, std=_NOISE_EMBED)

    # After the final RMS norm (weights 1) a hidden state of norm |h| is scaled to
    # sqrt(N_EMBD) * h / |h|: the bias and class components come out at about SCALE.
    scale = np.sqrt(N_EMBD) / np.sqrt(2.0 + noise * _NOISE_EMBED**2)
    bias, table = _biases(texts)
    output = np.zeros((n, N_EMBD), dtype=np.float32)
    output[:, _BIAS] = bias / scale
    for cls in range(1, _OTHER + 1):
        output[:, cls] = table[cls] / scale
    output[:, _NOISE:] = normal(n, noise, std=_NOISE_OUT)

    weights = {
        "token_embd.weight": embed,
        "output_norm.weight": np.ones(N_EMBD, dtype=np.float32),
        "output.weight": output,
    }
    for layer in range(N_LAYER):
        p = f"blk.{layer}."
        attn_out = normal(N_EMBD, N_ATTN, std=_LAYER_OUT)
        ffn_down = normal(N_EMBD, N_FF, std=_LAYER_OUT)
        # The layers add noise but never touch the bias and class dimensions.
        attn_out[:_NOISE] = 0.0
        ffn_down[:_NOISE] = 0.0
        weights |= {
            p + "attn_norm.weight": np.ones(N_EMBD, dtype=np.float32),
            p + "attn_q.weight": normal(N_ATTN, N_EMBD, std=_LAYER_IN),
            p + "attn_k.weight": normal(N_ATTN, N_EMBD, std=_LAYER_IN),
            p + "attn_v.weight": normal(N_ATTN, N_EMBD, std=_LAYER_IN),
            p + "attn_output.weight": attn_out,
            p + "ffn_norm.weight": np.ones(N_EMBD, dtype=np.float32),
            p + "ffn_gate.weight": normal(N_FF, N_EMBD, std=_LAYER_IN),
            p + "ffn_up.weight": normal(N_FF, N_EMBD, std=_LAYER_IN),
            p + "ffn_down.weight": ffn_down,
        }
    return weights


def write_model(path: Path) -> Path:
    """Write the model to ``path`` (byte-for-byte the same every time) and return it."""
    import gguf  # a test dependency: imported here so the constants above load without it

    vocab = vocabulary()
    index = {tok: i for i, tok in enumerate(vocab)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), ARCH)
    writer.add_name("briefing-test-noise")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_key_length(HEAD_DIM)
    writer.add_value_length(HEAD_DIM)
    writer.add_rope_dimension_count(HEAD_DIM)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_vocab_size(len(vocab))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(vocab)
    types = [gguf.TokenType.NORMAL] * len(vocab)
    for special in SPECIAL:
        types[index[special]] = gguf.TokenType.CONTROL
    writer.add_token_types(types)
    # llama.cpp refuses a BPE vocabulary without merges; one real merge is enough.
    writer.add_token_merges([" ".join(MERGED)])
    writer.add_bos_token_id(index["<|endoftext|>"])
    writer.add_eos_token_id(index["<|im_end|>"])
    writer.add_pad_token_id(index["<|endoftext|>"])
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHAT_TEMPLATE)
    for name, array in tensors().items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(path)  # atomic: a concurrent reader never sees half a model
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.llama_model OUT.gguf")
    print(write_model(Path(sys.argv[1])))
