/**
 * Which CIFAR-10 copy the lessons read: the offline JPEG copy when `LESSON_DATA_DIR` holds it (CI and these
 * offline machines), else the official binary release, downloaded and verified once into the cache (online users).
 * The result says which one it used, because accuracies on the JPEG copy are close to, not identical with, the
 * official files' (see cifar10-jpeg.ts).
 */
import { loadCifar10 } from './cifar10-binary';
import { findCifar10JpegArchive, loadCifar10Jpeg } from './cifar10-jpeg';
import type { ImageDataset } from './image-dataset';

export type Cifar10SourceKind = 'offline-jpeg' | 'official-binary';

export interface LessonCifar10 {
  train: ImageDataset;
  test: ImageDataset;
  source: Cifar10SourceKind;
  /** One sentence for the notebook's output. */
  description: string;
}

export interface LoadLessonCifar10Options {
  /** Download the official archive when no offline copy is found and the binary files are missing. Default: true. */
  download?: boolean;
}

export async function loadLessonCifar10(options: LoadLessonCifar10Options = {}): Promise<LessonCifar10> {
  const archive = findCifar10JpegArchive();
  if (archive) {
    const { train, test } = await loadCifar10Jpeg({ archive });
    return {
      train,
      test,
      source: 'offline-jpeg',
      description: `CIFAR-10 from the offline JPEG copy ${archive} (a JPEG re-encoding: accuracies are close to, not identical with, the official files')`,
    };
  }
  const { train, test } = await loadCifar10({ download: options.download ?? true });
  return { train, test, source: 'official-binary', description: 'CIFAR-10 from the official binary release (cifar-10-binary.tar.gz)' };
}
