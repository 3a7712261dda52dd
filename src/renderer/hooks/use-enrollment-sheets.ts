import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { ConsoleInput } from '../../shared/console-api';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { queryKeys } from './query-keys';

type CandidatesQuery = Omit<ConsoleInput<'sheets:candidates'>, 'cursor' | 'limit'>;
type SheetListQuery = Omit<ConsoleInput<'sheets:list'>, 'cursor' | 'limit'>;

/**
 * Users of one tenant without an authenticator app, page after page; none until a tenant is chosen.
 * Re-read every 30 s like the list: a user who sets up the app with their sheet leaves it.
 */
export function useSheetCandidates(query: CandidatesQuery | null) {
  const client = useConsoleClient();
  return useInfiniteQuery({
    queryKey: queryKeys.sheetCandidates(query ?? { tenantId: '' }),
    queryFn: ({ pageParam }) => client.sheets.candidates({ ...query!, ...(pageParam ? { cursor: pageParam } : {}) }),
    enabled: query !== null,
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

/** The sheets made (states only, no keys), re-read every 30 s: a user who signs in with theirs shows as used. */
export function useSheetList(query: SheetListQuery) {
  const client = useConsoleClient();
  return useInfiniteQuery({
    queryKey: queryKeys.sheetList(query),
    queryFn: ({ pageParam }) => client.sheets.list({ ...query, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

/**
 * A sheet-changing call as a mutation, sent once however often it is clicked. Afterwards the sheet
 * lists, candidates, users and the audit trail are re-read. `gcTime: 0`: an answer (new sheets,
 * with their keys) is not kept once the screen that shows it lets go.
 */
function useSheetMutation<I, O>(run: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  const inFlight = useRef(false);
  const mutation = useMutation({
    mutationFn: run,
    gcTime: 0,
    onSettled: () => {
      for (const queryKey of [queryKeys.sheetsAll, queryKeys.users, queryKeys.auditAll]) void queryClient.invalidateQueries({ queryKey });
    },
  });
  const send = async (input: I): Promise<O | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    try {
      return await mutation.mutateAsync(input);
    } catch {
      return null; // on `mutation.error` for the dialog to show
    } finally {
      inFlight.current = false;
    }
  };
  return { send, mutation };
}

/** New sheets for the users: the answer holds their keys and lives only in this mutation (reset when the preview closes). */
export function useCreateSheets() {
  const client = useConsoleClient();
  return useSheetMutation((input: ConsoleInput<'sheets:create'>) => client.sheets.create(input));
}

export function useVoidSheet() {
  const client = useConsoleClient();
  return useSheetMutation((input: ConsoleInput<'sheets:void'>) => client.sheets.void(input));
}

export interface SavedPdf {
  fileName: string;
  bytes: number;
}

/**
 * The preview's document to a PDF (main prints it on this computer: no server, no network) and
 * then to a file: a Blob of the app's own origin, the one kind of download the console allows. The
 * PDF is not kept: the answer is only its name and size, and the Blob is let go a minute after the
 * download took it, or when the preview closes, whichever comes first.
 */
export function useSaveSheetsPdf() {
  const client = useConsoleClient();
  const blobUrls = useRef(new Set<string>());
  useEffect(() => {
    const urls = blobUrls.current;
    return () => {
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    };
  }, []);
  return useMutation({
    gcTime: 0,
    mutationFn: async (input: ConsoleInput<'sheets:renderPdf'> & { fileName: string }): Promise<SavedPdf> => {
      const { pdfBase64, bytes } = await client.sheets.renderPdf({ html: input.html, paper: input.paper });
      const binary = atob(pdfBase64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
      const url = URL.createObjectURL(new Blob([data], { type: 'application/pdf' }));
      blobUrls.current.add(url);
      const link = document.createElement('a');
      link.href = url;
      link.download = input.fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => {
        URL.revokeObjectURL(url);
        blobUrls.current.delete(url);
      }, 60_000);
      return { fileName: input.fileName, bytes };
    },
  });
}
