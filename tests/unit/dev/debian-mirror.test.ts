import { describe, expect, it } from 'vitest';
import { mainArchiveUri } from '../../../src/dev/image/debian-mirror.js';

describe('the Debian mirror for the local base image', () => {
  it('takes the main archive of deb822 sources, not the security archive', () => {
    const sources = [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian-security/20250520T000000Z',
      'URIs: http://deb.debian.org/debian-security',
      'Suites: bookworm-security',
      '',
      'Types: deb',
      'URIs: http://mirror.example/debian/',
      'Suites: bookworm bookworm-updates',
    ].join('\n');
    expect(mainArchiveUri(sources)).toBe('http://mirror.example/debian');
  });

  it('reads one-line sources, with or without options, and skips comments', () => {
    expect(mainArchiveUri('# deb http://old.example/debian bookworm main\ndeb [arch=amd64] https://m.example/debian bookworm main\n')).toBe(
      'https://m.example/debian',
    );
  });

  it('finds nothing in sources without an http(s) archive', () => {
    expect(mainArchiveUri('deb cdrom:[Debian]/ bookworm main\n')).toBeUndefined();
  });
});
