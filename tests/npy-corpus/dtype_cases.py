"""Prints (JSON) what numpy 1.24 makes of many dtype strings, for shared/src/npy/npy-dtype.test.ts.

Each case is {"descr": s, "numpy": v} with v one of
  "numeric:<kind><size>:<le|be>:<values per element>"  a plain number dtype (or a sub-array of one)
  "unsupported"  a dtype that is not a plain number (complex, text, dates, records, float128, ...)
  "object"       holds Python objects
  "invalid"      numpy.dtype(s) raises
Cases: every character alone and after a byte-order mark, every kind letter with many sizes (as C
strtol reads them), numpy.sctypeDict's names, comma strings and sub-arrays, and every one-bit flip of
common descrs.
"""
import json
import sys
import warnings

import numpy as np

NUMERIC = {'f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1'}


def classify(text):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            dtype = np.dtype(text)
        except Exception:  # TypeError, ValueError, SyntaxError, UnicodeEncodeError...
            return 'invalid'
    if dtype.hasobject:
        return 'object'
    group = 1
    while dtype.subdtype is not None:
        dtype, shape = dtype.subdtype
        group *= int(np.prod(shape))
    name = dtype.kind + str(dtype.itemsize)
    if dtype.names is not None or name not in NUMERIC:
        return 'unsupported'
    return 'numeric:%s:%s:%d' % (name, 'be' if dtype.byteorder == '>' else 'le', group)


def flips(text):
    data = text.encode('latin1')
    for i in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[i] ^= 1 << bit
            yield flipped.decode('latin1')


def main():
    cases = set()
    for code in range(256):
        for mark in ['', '<', '>', '|', '=']:
            cases.add(mark + chr(code))
    for kind in [chr(c) for c in range(32, 127)] + ['\t', 'é']:
        for size in ['0', '1', '2', '3', '4', '8', '16', '32', '-4', '+4', ' 4', '04', '\t8', '\n8', '4294967300', '18446744073709551620',
                     '1e1', '4 ', '', '_4', '4_', '0x4']:
            for mark in ['', '<', '>']:
                cases.add(mark + kind + size)
    for name in np.sctypeDict:
        if isinstance(name, str):
            for mark in ['', '<', '>', '|', '=']:
                cases.add(mark + name)
    cases.update([
        'f4,', '<f4,', '>f4,', '8f4', '<8f4', '>8f4', '8<f4', '8>f4', '>8<f4', '<8>f4', '=8<f4', '(2,)f4', '(2,3)>i2', '()f4', '(1)f4',
        '(1,)f4', '1f4', '0f4', '(0,)f4', '00f4', ' 8f4', '8 f4', '8f4 ', 'f4, ', 'f4 ,', ',f4', 'f4,i4', '2,3f4', 'f4\xa0,', 'f4,\x85',
        '(2,)(3,)f4', '(2)3f4', '<(2,)f4', '=()f4', '|()f4', '<()f4', '()', '08f4', '8f4,', '[f4]', 'f4[', ',', ',,', 'f4,,', 'f4,,i4',
        '(2,),f4', '2f4,3i8', '(2147483648,)f4', '(1073741824,)f4', '(536870912,)f4', '(536870911,)f4', '(-1,)f4', '(2,-1)f4',
        '(' + '1,' * 32 + ')f4', '(' + '1,' * 33 + ')f4', '4(2,)f4', '(2,)4f4', '(2,) f4', ' (2,)f4', '(2, )f4', '( 2 )f4', '(2,,)f4',
        '(,)f4', '8O', '8O8', 'f4,O', '<f4 ', ' <f4', '<<f4', 'M8[ns]', '<M8[ns]', 'M8[ns],', 'f4[2]', 'f8\x00', '\x00f4', 'f\x004',
        'b1,', '?,', 'e,', 'float32,', '<float32,', 'float32 ,', '1float32', '2float32', '(2,)float32', '(2,)<i', '<(2,)i', '3?', '\ud800',
        'f\ud8004', '\ud800,', 'f4\u3000,', 'f4\u200b,', '\u0661f4', 'i4,(2,3)f8', 'V8,f4', 'S0', 'U0', 'V0', 'S-1', 'a-1', 'U-1', 'V-1',
        'c', 'S1', 'a1', 'U1', 'V1', 'O4', 'O8', 'O16', 'M8', 'm8', 'M4', 'M16', '<M8', '>m8', 'datetime64', 'datetime64[s]',
        'timedelta64[D]', 'M8[xx]'])
    for text in ['<f4', '>f8', '|u1', '|b1', '<i8', '<f2', '>u2', '<i4', '>i2', '|i1', '<u8', 'float32', 'int64', 'uint8', 'bool']:
        cases.update(flips(text))
    json.dump([{'descr': text, 'numpy': classify(text)} for text in sorted(cases)], sys.stdout)


if __name__ == '__main__':
    main()
