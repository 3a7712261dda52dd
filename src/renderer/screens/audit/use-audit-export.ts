import { useEffect, useRef, useState } from 'react';
import type { ConsoleInput } from '../../../shared/console-api';
import { useConsoleClient } from '../../bridge/ConsoleProvider';
import { ConsoleCallError } from '../../bridge/console-client';
import { useOperatorNames } from '../../hooks/use-operator-names';
import { actorOf, describeEvent } from '../../i18n/event-words';
import { useI18n } from '../../i18n/I18nProvider';
import { csvHeader, csvLine } from './audit-csv';

type Query = Omit<ConsoleInput<'audit:list'>, 'cursor' | 'limit'>;
export type ExportState =
  | { phase: 'idle' }
  | { phase: 'running'; count: number }
  | { phase: 'done'; count: number }
  | { phase: 'stopped' }
  | { phase: 'failed'; count: number; error: ConsoleCallError };

/**
 * The filtered audit trail to a CSV file, streamed: page after page (200 events each) is turned into
 * text chunks as it arrives, the screen stays live between pages (progress, Stop: nothing saved), and the file is
 * one Blob of those chunks at the end, so 100,000 events never sit in the page as objects at once.
 */
export function useAuditExport() {
  const client = useConsoleClient();
  const { t } = useI18n();
  const operators = useOperatorNames();
  const [state, setState] = useState<ExportState>({ phase: 'idle' });
  const stop = useRef(false);
  // Leaving the screen stops an export: no save dialog appears later, out of nowhere.
  useEffect(() => () => void (stop.current = true), []);
  const start = async (query: Query) => {
    if (state.phase === 'running') return;
    stop.current = false;
    const chunks: string[] = ['\uFEFF' + csvHeader.join(',') + '\r\n'];
    let count = 0;
    let cursor: string | null = null;
    setState({ phase: 'running', count });
    try {
      do {
        const page = await client.audit.list({ ...query, limit: 200, ...(cursor ? { cursor } : {}) });
        chunks.push(page.items.map((event) => csvLine(event, describeEvent(event, t), actorOf(event, t, operators))).join(''));
        count += page.items.length;
        cursor = page.nextCursor;
        setState({ phase: 'running', count });
      } while (cursor && !stop.current);
      // A stopped export saves nothing: half a trail must not pass for the whole of it.
      if (stop.current) {
        setState({ phase: 'stopped' });
        return;
      }
    } catch (error) {
      setState({
        phase: 'failed',
        count,
        error: error instanceof ConsoleCallError ? error : new ConsoleCallError('internal', String(error)),
      });
      return;
    }
    const url = URL.createObjectURL(new Blob(chunks, { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    // Give the download a moment to take the Blob before it is let go.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setState({ phase: 'done', count });
  };
  return { state, start, stop: () => (stop.current = true) };
}
