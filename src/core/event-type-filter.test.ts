import { describe, expect, it } from 'vitest';
import { isOperationalType, matchesTypeFilter, parseTypeFilter, singleExactType } from './event-type-filter.js';

const filter = (text: string) => {
  const parsed = parseTypeFilter(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.filter;
};
const pick = (text: string, types: string[]) => types.filter((t) => matchesTypeFilter(filter(text), t));
const TYPES = ['chat.started', 'chat.ended', 'chat.message.sent', 'chatbot.reply', 'payment.completed'];

describe('event type filter', () => {
  it('an empty filter matches everything', () => {
    expect(pick('', TYPES)).toEqual(TYPES);
    expect(pick('  ,  ', TYPES)).toEqual(TYPES);
  });

  it('exact types, prefixes, and several at once', () => {
    expect(pick('chat.started', TYPES)).toEqual(['chat.started']);
    expect(pick('chat.*', TYPES)).toEqual(['chat.started', 'chat.ended', 'chat.message.sent']);
    expect(pick('chat*', TYPES)).toEqual(['chat.started', 'chat.ended', 'chat.message.sent', 'chatbot.reply']);
    expect(pick('chat.started, payment.*', TYPES)).toEqual(['chat.started', 'payment.completed']);
    expect(pick('chat.ended payment.completed', TYPES)).toEqual(['chat.ended', 'payment.completed']);
  });

  it('exclusions win over includes, and alone mean "everything but"', () => {
    expect(pick('chat.*,-chat.ended', TYPES)).toEqual(['chat.started', 'chat.message.sent']);
    expect(pick('-chat.*', TYPES)).toEqual(['chatbot.reply', 'payment.completed']);
    expect(pick('chat.ended -chat.ended', TYPES)).toEqual([]);
    expect(pick('*,-payment.*', TYPES)).toEqual(['chat.started', 'chat.ended', 'chat.message.sent', 'chatbot.reply']);
  });

  it('refuses terms that are not names, with a message naming the term', () => {
    for (const bad of ['chat.*.x', 'ch at?', '-', 'a/b', '**', 'chat.$']) {
      const parsed = parseTypeFilter(bad);
      expect(parsed.ok, bad).toBe(false);
    }
    const parsed = parseTypeFilter('chat.*.x');
    expect(!parsed.ok && parsed.message).toContain('"chat.*.x"');
    expect(parseTypeFilter(Array.from({ length: 21 }, (_, i) => `t${i}`).join(',')).ok).toBe(false);
  });

  it('hands one exact type to the store, nothing else', () => {
    expect(singleExactType(filter('chat.started'))).toBe('chat.started');
    expect(singleExactType(filter('chat.*'))).toBeUndefined();
    expect(singleExactType(filter('chat.started,-x'))).toBeUndefined();
    expect(singleExactType(filter('a b'))).toBeUndefined();
  });

  it('knows the operational events', () => {
    expect(['delivery.exhausted', 'endpoint.disabled', 'endpoint.recovered'].every(isOperationalType)).toBe(true);
    expect(isOperationalType('endpoint.created')).toBe(false);
  });
});
