import { describe, expect, it } from 'vitest';
import { extractNotesCommands, hasCjk, normalizeCommandText } from '../../scripts/lib/notes-commands.ts';
import { readAllChapters, readNotes } from '../support/chapters.ts';

// Nothing of the notes may be dropped: every command line of the notes appears
// verbatim in a Chinese chapter, and (when it has no Chinese placeholder in it)
// in an English chapter too.
const notesCommands = extractNotesCommands(readNotes());
const chaptersByLocale = {
  'zh-cn': [...readAllChapters('zh-cn').values()].map(normalizeCommandText).join('\n'),
  en: [...readAllChapters('en').values()].map(normalizeCommandText).join('\n'),
};
const dockerfileChapters = {
  'zh-cn': readAllChapters('zh-cn').get('dockerfile') ?? '',
  en: readAllChapters('en').get('dockerfile') ?? '',
};

describe('the notes parser finds the notes’ commands', () => {
  it('finds a plausible number of commands and instructions', () => {
    expect(notesCommands.filter((command) => command.kind === 'command').length).toBeGreaterThan(40);
    expect(notesCommands.filter((command) => command.kind === 'instruction').length).toBe(12);
  });
});

describe.each(['zh-cn', 'en'] as const)('chapters (%s) cover every command of the notes', (locale) => {
  const applicable = notesCommands.filter(
    (command) => locale === 'zh-cn' || command.kind === 'instruction' || !hasCjk(command.text),
  );
  it.each(applicable.map((command) => [command.line, command] as const))(
    'notes line %i',
    (_line, command) => {
      if (command.kind === 'instruction') {
        expect(dockerfileChapters[locale], `Dockerfile instruction ${command.keyword}`).toMatch(
          new RegExp(`\\b${command.keyword}\\b`),
        );
      } else {
        expect(
          chaptersByLocale[locale].includes(command.text),
          `"${command.text}" appears in no chapter`,
        ).toBe(true);
      }
    },
  );
});
