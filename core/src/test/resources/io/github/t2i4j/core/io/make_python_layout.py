# Writes python_layout.safetensors with the reference Python/Rust safetensors library
# (made with safetensors 0.8.0), for SafetensorsWriterTest to compare our bytes against.
# Run from this folder: python3 make_python_layout.py
import ctypes
import struct

from safetensors import TensorSpec, serialize_file

keep = []


def t(dtype, shape, fmt, values):
    data = struct.pack("<" + fmt * len(values), *values)
    buf = ctypes.create_string_buffer(data, max(len(data), 1))
    keep.append(buf)
    return TensorSpec(dtype=dtype, shape=shape, data_ptr=ctypes.addressof(buf), data_len=len(data))


tensors = {
    "w": t("float32", [2, 2], "f", [1.0, 2.0, 3.0, 4.0]),
    "b": t("float16", [2], "e", [0.5, -1.0]),
    "step": t("int64", [], "q", [7]),
    "ids": t("int32", [3], "i", [1, -2, 3]),
    "mask": t("bool", [3], "?", [True, False, True]),
    "q": t("int8", [2], "b", [-5, 5]),
    "px": t("uint8", [2], "B", [0, 255]),
    "d": t("float64", [1], "d", [3.25]),
    "h": t("bfloat16", [2], "H", [0x3F80, 0xC000]),
    "empty": t("float32", [0, 3], "f", []),
    "weird\"name\\\u00e9\t\u0001": t("float32", [1], "f", [-0.0]),
}
serialize_file(tensors, "python_layout.safetensors", metadata={"format": "pt"})
