// JSON Patch (RFC 6902) as the NRF applies NFUpdate bodies: the examples of RFC 6902 Appendix A
// (their documents and results as the RFC gives them), and a failing operation leaving the
// document untouched (section 5).
import { describe, it, expect } from 'vitest';
import { applyJsonPatch, parsePointer, JsonPatchError } from '../../nodes/nrf/json-patch.ts';

describe('JSON Patch (RFC 6902) and JSON Pointer (RFC 6901)', () => {
  it('RFC 6902 A.1-A.10: add, remove, replace, move, copy, test', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ baz: 'qux', foo: 'bar' });
    expect(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({ foo: ['bar', 'qux', 'baz'] });
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
    expect(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] });
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({ baz: 'boo', foo: 'bar' });
    expect(applyJsonPatch({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({ foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } });
    expect(applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({ foo: ['all', 'cows', 'eat', 'grass'] });
    expect(applyJsonPatch({ baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }])).toEqual({ baz: 'qux', foo: ['a', 2, 'c'] });
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }])).toEqual({ foo: 'bar', child: { grandchild: {} } });
    expect(applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }])).toEqual({ foo: ['bar', ['abc', 'def']] });
    expect(applyJsonPatch({ a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }])).toEqual({ a: { b: 1 }, c: { b: 1 } });
  });

  it('RFC 6902 A.8, A.9, A.12, A.13: a failing operation fails the whole patch and the document is untouched', () => {
    const doc = { baz: 'qux', foo: 'bar' };
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/baz', value: 'x' }, { op: 'test', path: '/baz', value: 'bar' }])).toThrow(JsonPatchError);
    expect(doc).toEqual({ baz: 'qux', foo: 'bar' });
    expect(() => applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }])).toThrow(/operation 0 \(add \/baz\/bat\)/);
    expect(() => applyJsonPatch({ foo: 'bar' }, [{ op: 'remove', path: '/nothing' }])).toThrow(/no such member/);
    expect(() => applyJsonPatch({ foo: ['a'] }, [{ op: 'add', path: '/foo/5', value: 1 }])).toThrow(/out of the array/);
    expect(() => applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }])).toThrow(/unknown op/);
    expect(() => applyJsonPatch({}, { op: 'add' })).toThrow(/array of operations/);
  });

  it('RFC 6901: ~1 is / and ~0 is ~ in a token', () => {
    expect(parsePointer('/a~1b/m~0n')).toEqual(['a/b', 'm~n']);
    expect(parsePointer('')).toEqual([]);
    expect(() => parsePointer('nope')).toThrow(JsonPatchError);
    expect(applyJsonPatch({ 'a/b': 1 }, [{ op: 'replace', path: '/a~1b', value: 2 }])).toEqual({ 'a/b': 2 });
  });
});
