import { opendir, realpath, stat } from 'node:fs/promises';
import { join, matchesGlob, sep } from 'node:path';
import fg from 'fast-glob';
import { compareStrings } from './random.ts';

export interface FoundFile {
  /** Path relative to the root, `/`-separated, through any symlinked folders. */
  id: string;
  path: string;
  bytes: number;
  /** A link to a file or folder outside the root, not followed: where it points. */
  outside?: string;
  /** Listed but not statable (a name that is not valid UTF-8, a file that vanished): why. */
  error?: string;
}

export interface FindOptions {
  include?: string[];
  exclude?: string[];
  /** Follow links that lead out of the root (default false: they are listed as `outside`, not read). */
  followLinks?: boolean;
}

/**
 * Files under a folder, skipping hidden files and folders and node_modules. Symlinked folders are followed
 * once each: fast-glob walks every real tree without following links, and links are resolved here against
 * the set of folders already walked, so a symlink loop cannot make the walk explode. A link that leads out of the
 * root (to /etc/passwd, say) is not followed unless `followLinks` says so: a corpus folder is what the user named.
 */
export async function findFiles(root: string, options: FindOptions = {}): Promise<FoundFile[]> {
  const include = options.include?.length ? options.include : ['**/*'];
  const exclude = options.exclude ?? [];
  const found: FoundFile[] = [];
  const realRoot = await realpath(root);
  const walked = new Set([realRoot]);
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  const seenFiles = new Set<string>();
  const queue = [{ dir: root, prefix: '' }];
  while (queue.length > 0) {
    const { dir, prefix } = queue.shift() as { dir: string; prefix: string };
    const entries = await fg(['**/*'], {
      cwd: dir,
      ignore: ['**/node_modules/**'],
      dot: false,
      onlyFiles: false,
      followSymbolicLinks: false,
      objectMode: true,
      suppressErrors: true,
    });
    entries.sort((a, b) => compareStrings(a.path, b.path));
    for (const entry of entries) {
      const id = prefix + entry.path;
      const path = join(dir, entry.path);
      if (entry.dirent.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        if (target === undefined) continue; // dangling link
        const real = await realpath(path);
        if (!options.followLinks && !inside(real)) {
          if (target.isDirectory() || selected(id, include, exclude)) found.push({ id, path, bytes: 0, outside: real });
          continue;
        }
        if (target.isDirectory()) {
          if (!walked.has(real) && !id.split('/').includes('node_modules')) {
            walked.add(real);
            queue.push({ dir: path, prefix: `${id}/` });
          }
          continue;
        }
        if (!target.isFile() || seenFiles.has(real) || !selected(id, include, exclude)) continue;
        seenFiles.add(real);
        found.push({ id, path, bytes: target.size });
      } else if (entry.dirent.isDirectory()) {
        // fast-glob skips a folder it cannot read without a word (suppressErrors), so its files would vanish.
        const problem = await opendir(path).then((handle) => handle.close(), (error: Error) => error);
        if (problem instanceof Error) {
          const garbled = entry.path.includes('\uFFFD') ? 'its name is not valid UTF-8, so it cannot be opened by name; ' : '';
          found.push({ id: `${id}/`, path, bytes: 0, error: `a folder that cannot be read (${garbled}${problem.message}); the files in it are not in the corpus` });
        }
      } else if (entry.dirent.isFile() && selected(id, include, exclude)) {
        const real = await realpath(path).catch(() => path);
        if (seenFiles.has(real)) continue;
        seenFiles.add(real);
        const info = await stat(path).catch((error: Error) => error);
        if (info instanceof Error) {
          const garbled = id.includes('\uFFFD') ? 'its name is not valid UTF-8, so it cannot be opened by name; ' : '';
          found.push({ id, path, bytes: 0, error: `${garbled}${info.message}` });
        } else found.push({ id, path, bytes: info.size });
      }
    }
  }
  return found.sort((a, b) => compareStrings(a.id, b.id));
}

function selected(id: string, include: string[], exclude: string[]): boolean {
  return include.some((pattern) => matchesGlob(id, pattern)) && !exclude.some((pattern) => matchesGlob(id, pattern));
}
