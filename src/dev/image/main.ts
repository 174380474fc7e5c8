#!/usr/bin/env node
import { Command, Option } from 'commander';
import { createProgress } from '../../cli/progress.js';
import { buildImage, DEFAULT_IMAGE_TAG } from './build.js';

/** `npm run image:build [-- options]`: deploy/Dockerfile built with podman, on a local Debian base unless --base names one. */
const program = new Command('image:build')
  .description('build the siem-stream container image with podman (deploy/README.md)')
  .option('--tag <image>', 'the image to tag', DEFAULT_IMAGE_TAG)
  .option('--base <image>', "the Dockerfile's BASE_IMAGE, e.g. node:20-slim (default: a Debian base made locally with debootstrap)")
  .addOption(
    new Option(
      '--ckjs-linking <how>',
      'how the Kafka client gets librdkafka (default: dynamic on the local base, static otherwise)',
    ).choices(['static', 'dynamic']),
  )
  .action(async (o: { tag: string; base?: string; ckjsLinking?: 'static' | 'dynamic' }) => {
    const progress = createProgress();
    const { image } = await buildImage({ tag: o.tag, baseImage: o.base, ckjsLinking: o.ckjsLinking, onProgress: (m) => progress.note(m) });
    progress.done();
    process.stdout.write(`${image}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`image:build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
