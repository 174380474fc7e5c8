import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLocalBase } from './base.js';
import { ensureContainerTools, podmanBuild } from './podman.js';

/** The tag docker-compose.yml gives the image, under podman's `localhost/` prefix. */
export const DEFAULT_IMAGE_TAG = 'localhost/siem-stream:local';

export interface ImageBuildOptions {
  tag?: string;
  /** deploy/Dockerfile's BASE_IMAGE; without it, the local Debian base (LOCAL_BASE_IMAGE) */
  baseImage?: string;
  /** `dynamic` builds librdkafka against Debian's libraries (no github.com); the default with the local base */
  ckjsLinking?: 'static' | 'dynamic';
  onProgress?: (message: string) => void;
}

/** The repository root, from src/dev/image or dist/dev/image alike. */
export const repoRoot = (): string => fileURLToPath(new URL('../../../', import.meta.url));

/** Builds deploy/Dockerfile with podman (installed from Debian's packages when missing). */
export async function buildImage(options: ImageBuildOptions = {}): Promise<{ image: string; seconds: number }> {
  const progress = options.onProgress ?? (() => {});
  const started = Date.now();
  const root = repoRoot();
  ensureContainerTools(progress);
  const baseImage = options.baseImage ?? (await ensureLocalBase(root, progress));
  const ckjsLinking = options.ckjsLinking ?? (options.baseImage ? 'static' : 'dynamic');
  const image = options.tag ?? DEFAULT_IMAGE_TAG;
  progress(`building ${image} from deploy/Dockerfile on ${baseImage} (CKJS_LINKING=${ckjsLinking})`);
  await podmanBuild(
    [
      '--file',
      join(root, 'deploy', 'Dockerfile'),
      '--build-arg',
      `BASE_IMAGE=${baseImage}`,
      '--build-arg',
      `CKJS_LINKING=${ckjsLinking}`,
      '--tag',
      image,
      root,
    ],
    progress,
  );
  const seconds = (Date.now() - started) / 1000;
  progress(`built ${image} in ${seconds.toFixed(0)}s`);
  return { image, seconds };
}
