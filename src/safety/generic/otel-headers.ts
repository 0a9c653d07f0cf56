import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn, looksRandom } from "../look-alikes.ts";

/**
 * The headers an OpenTelemetry exporter sends, as its environment variable lists them (Claude Code's own telemetry is
 * set up so): `OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=<key>,signoz-ingestion-key=<key>` (also `…_TRACES_HEADERS`,
 * `…_METRICS_HEADERS`, `…_LOGS_HEADERS`, quoted or in JSON). The headers are an observability vendor's credentials
 * whatever their names, so each value that looks random goes (`Authorization=Bearer …` is the header rule's);
 * `x-scope-orgid=tenant1` stays.
 */
const HEADERS_VARIABLE = /OTEL_EXPORTER_OTLP(?:_(?:TRACES|METRICS|LOGS))?_HEADERS["']?[ \t]*[:=][ \t]*["']?/iy;
const PAIR = /[ \t]*([A-Za-z0-9_.-]{1,64})[ \t]*=[ \t]*([^,\s"'\\]{1,1000})[ \t]*(?:,|(?=["'\\\s]|$))/dy;

export const otelHeadersDetector: Detector = {
  keywords: ["otel_exporter_otlp"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      HEADERS_VARIABLE.lastIndex = hits[i] as number;
      if (!HEADERS_VARIABLE.test(text)) continue;
      PAIR.lastIndex = HEADERS_VARIABLE.lastIndex;
      for (let m = PAIR.exec(text); m !== null; m = PAIR.exec(text)) {
        const span = m.indices?.[2];
        const value = m[2] as string;
        if (span && looksRandom(value) && !isStandIn(value)) out.push({ start: span[0], end: span[1], kind: "secret" });
      }
    }
  },
};
