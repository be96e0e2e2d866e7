// What a handler is and what it is given: the channel → handler table's type, each call's context, and
// the services the handlers use. Its own module so the channel groups (pacs-handlers.ts,
// segment-handlers.ts) and handlers.ts, which spreads them into the table, all import it.
import type { Args, Channel, Results } from '../../shared/ipc';
import type { ImageLibrary } from '../dicom/library';
import type { FineTuneService } from '../finetune/service';
import type { PacsService } from '../pacs/service';
import type { SegmenterService } from '../segmenter/segment-client';
import type { Annotations } from '../store/annotations';
import type { EventBus } from './events';

export interface HandlerContext {
  transport: 'electron' | 'http';
  /** Aborted when the caller goes away (window closed, HTTP client disconnected). */
  signal: AbortSignal;
}

export type Handler<C extends Channel> = (args: Args<C>, ctx: HandlerContext) => Promise<Results[C]> | Results[C];
export type HandlerTable = { [C in Channel]: Handler<C> };

export interface AppServices {
  name: string;
  version: string;
  events: EventBus;
  /** Versions of the runtime hosting main (Electron adds its own). */
  versions: { node: string; electron?: string; chrome?: string };
  /** Open DICOM series and radiographs (the viewer's data). */
  images: ImageLibrary;
  /** Segments of open series: the workspace store and SEG/NIfTI/PNG exchange. */
  annotations: Annotations;
  /** Prompt → mask in a worker thread (src/main/segmenter/segment-client.ts). */
  segmenter: SegmenterService;
  /** DICOMweb connections, search, retrieve into the workspace cache, SEG send-back (src/main/pacs). */
  pacs: PacsService;
  /** Fine-tuning on the workspace's corrections and the model versions (src/main/finetune/service.ts). */
  finetune?: FineTuneService;
  /** Native save/open dialog for a mask file; only the Electron entry provides one. */
  pickMaskPath?: (mode: 'save' | 'open', defaultPath: string) => Promise<string | null>;
  /** Native open dialog; only the Electron entry provides one. */
  pickImagePaths?: () => Promise<string[] | null>;
}
