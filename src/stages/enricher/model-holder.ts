import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Counter } from 'prom-client';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { metricsRegistry } from '../../observability/metrics.js';
import { AnomalyModel } from './anomaly-model.js';
import { metadataPath } from './model-metadata.js';

const reloads = new Counter({
  name: 'siem_enricher_model_reloads_total',
  help: 'Model reloads, by result (loaded | refused)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

/**
 * The model the enricher scores with, swapped without a restart: on SIGHUP, and (with `watch`)
 * when the .onnx or its .json changes. A file that does not load is refused with an error log
 * and the previous model keeps serving.
 */
export class ModelHolder {
  private reloading: Promise<void> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly onSighup = () => this.reload('SIGHUP');

  private constructor(
    private current: AnomalyModel,
    private readonly path: string,
    private readonly logger: Logger,
  ) {}

  static async start(path: string, watchFiles: boolean, logger: Logger): Promise<ModelHolder> {
    const model = await AnomalyModel.load(path);
    logger.info({ path, version: model.version }, 'anomaly model loaded');
    const holder = new ModelHolder(model, path, logger);
    process.on('SIGHUP', holder.onSighup);
    if (watchFiles) holder.watchFiles();
    return holder;
  }

  get model(): AnomalyModel {
    return this.current;
  }

  /** Resolves once the reload finished, whether it was loaded or refused. */
  reload(reason: string): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        const next = await AnomalyModel.load(this.path);
        if (JSON.stringify(next.metadata) === JSON.stringify(this.current.metadata)) return;
        const previous = this.current;
        this.current = next;
        reloads.inc({ result: 'loaded' });
        this.logger.info({ reason, version: next.version, previous: previous.version }, 'anomaly model reloaded');
        // an inference already running on the previous session finishes before it is released
        setTimeout(() => void previous.release().catch(() => undefined), 5_000).unref();
      } catch (error) {
        reloads.inc({ result: 'refused' });
        this.logger.error(
          { reason, err: error, serving: this.current.version },
          `new model refused, still serving the previous one: ${errorMessage(error)}`,
        );
      }
    });
    return this.reloading;
  }

  async close(): Promise<void> {
    process.off('SIGHUP', this.onSighup);
    this.watcher?.close();
    clearTimeout(this.debounce);
    await this.reloading;
  }

  private watchFiles(): void {
    // the directory, not the file: a model is usually replaced by a rename, which a file watch misses
    const names = new Set([basename(this.path), basename(metadataPath(this.path))]);
    this.watcher = watch(dirname(this.path), (_event, name) => {
      if (name === null || !names.has(name.toString())) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload('file changed'), 500);
    });
    this.watcher.unref();
  }
}
