import { useId, useMemo, useState, type ClipboardEvent, type FocusEvent } from 'react';
import { breakupLimits } from '../../../shared/api/tenant-admin';
import { memberLocales, parsePastedMembers, type MemberLine } from '../../../shared/tenant-admin/member-lines';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useDebounced } from '../../components/use-debounced';
import { useBreakupCheck } from '../../hooks/use-shared-accounts';
import { useI18n } from '../../i18n/I18nProvider';
import { isBlank, readPeople, sameLines, type RowReading } from './people';
import { newRow, type BreakupDraft, type MemberLocale, type PersonField, type PersonRow } from './wizard-store';
import { problemKey } from './words';

/** Long enough for one check per pause in typing, short enough that the mark follows the typing. */
const CHECK_PAUSE_MS = 350;
const fieldLimits = { name: 300, email: 300, phone: 64 } as const;

const fieldId = (row: PersonRow, field: PersonField | 'locale') => `person-${row.key}-${field}`;

function focusLater(id: string) {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

/**
 * Step 1: the people behind the account, one row each (name, email, phone if any, the invitation's
 * language), typed or pasted from a spreadsheet. Every field says its problem beside it as it is
 * typed: what the console can tell at once (checkMemberLines), and, after a pause in typing, what
 * only the server knows (an email in use here or in another organisation, a country the tenant does
 * not send SMS to). Next waits until the server agrees the whole list is fine.
 */
export function PeopleStep({
  draft,
  update,
  sharedLocale,
  country,
  onNext,
  onCancel,
}: {
  draft: BreakupDraft;
  update(change: Partial<BreakupDraft> | ((draft: BreakupDraft) => Partial<BreakupDraft>)): void;
  sharedLocale: MemberLocale | undefined;
  /** The tenant's country: phones typed the national way read as there. */
  country: string | undefined;
  onNext(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { account } = draft;
  const setRows = (change: (rows: PersonRow[]) => PersonRow[]) => update((d) => ({ rows: change(d.rows), refused: false }));
  // The lines as they stood when typing paused: the server is asked about those.
  const settledLines = useDebounced(
    JSON.stringify(draft.rows.filter((row) => !isBlank(row)).map((row) => [row.name, row.email, row.phone, row.locale ?? sharedLocale])),
    CHECK_PAUSE_MS,
  );
  const checkInput = useMemo(() => {
    const members = (JSON.parse(settledLines) as Array<[string, string, string, MemberLocale | undefined]>).map(
      ([name, email, phone, locale]): MemberLine => ({ name, email, phone, ...(locale ? { locale } : {}) }),
    );
    return members.length ? { id: account.id, members: members.slice(0, breakupLimits.maxMembers) } : null;
  }, [settledLines, account.id]);
  const check = useBreakupCheck(checkInput);
  const reading = readPeople(draft.rows, account.email, sharedLocale, country, check.data?.answer, check.data?.members);
  const answeredNow =
    check.isSuccess && !check.isPlaceholderData && check.data !== undefined && sameLines(check.data.members, reading.lines);
  const ready = reading.lines.length > 0 && reading.problemCount === 0 && answeredNow && check.data.answer.ok;
  const tooMany = reading.lines.length > breakupLimits.maxMembers;

  const [pasteOpen, setPasteOpen] = useState(false);
  const [pasted, setPasted] = useState('');
  const [notice, setNotice] = useState('');
  const pasteId = useId();

  const patch = (key: string, change: Partial<PersonRow>) =>
    setRows((rows) => rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const touch = (key: string, fields: PersonField[]) =>
    setRows((rows) =>
      rows.map((row) =>
        row.key === key && fields.some((f) => !row.touched[f])
          ? { ...row, touched: { ...row.touched, ...Object.fromEntries(fields.map((f) => [f, true])) } }
          : row,
      ),
    );
  const addRow = () => {
    const row = newRow();
    setRows((rows) => [...rows, row]);
    focusLater(fieldId(row, 'name'));
  };
  const removeRow = (key: string) => {
    const index = draft.rows.findIndex((row) => row.key === key);
    const rest = draft.rows.filter((row) => row.key !== key);
    const rows = rest.length ? rest : [newRow()];
    setRows(() => rows);
    const next = rows[Math.min(index, rows.length - 1)]!;
    focusLater(fieldId(next, 'name'));
    setNotice(t('breakup.people.removed', { n: index + 1 }));
  };
  /** Pasted lines become rows: `at` (a blank row) is replaced, else they go after the rows there are. */
  const insertPasted = (text: string, at?: string) => {
    const lines = parsePastedMembers(text);
    if (!lines.length) {
      setNotice(t('breakup.paste.nothing'));
      return false;
    }
    const added = lines.map((line) => newRow({ name: line.name, email: line.email, phone: line.phone ?? '' }, true));
    setRows((rows) => {
      const index = at ? rows.findIndex((row) => row.key === at) : -1;
      if (index < 0) return [...rows.filter((row) => !isBlank(row)), ...added];
      const copy = [...rows];
      copy.splice(index, 1, ...added);
      return copy.filter((row) => !isBlank(row) || added.includes(row));
    });
    setNotice(t('breakup.paste.added', { count: added.length }));
    focusLater(fieldId(added[0]!, 'name'));
    return true;
  };
  /** A block copied from a spreadsheet pasted straight into a cell: rows, not one long name. */
  const onCellPaste = (row: PersonRow) => (event: ClipboardEvent<HTMLInputElement>) => {
    const text = event.clipboardData.getData('text/plain');
    if (!/[\t\n]/.test(text.trim())) return;
    event.preventDefault();
    insertPasted(text, isBlank(row) ? row.key : undefined);
  };
  const onRowBlur = (row: PersonRow) => (event: FocusEvent<HTMLTableRowElement>) => {
    // Leaving the row (not moving within it): its empty required fields are now worth a word.
    if (event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget)) return;
    if (!isBlank(row)) touch(row.key, ['name', 'email', 'phone']);
  };

  const summary = !reading.lines.length
    ? t('breakup.people.none', { email: account.email })
    : reading.problemCount
      ? `${t('breakup.people.count', { count: reading.lines.length })} · ${t('breakup.people.problems', { count: reading.rowsWithProblems })}`
      : tooMany
        ? t('breakup.people.tooMany', { max: breakupLimits.maxMembers })
        : ready
          ? t('breakup.people.ready', { count: reading.lines.length })
          : check.isError
            ? t('breakup.people.checkFailed')
            : t('breakup.people.checking');

  return (
    // A form, so Enter in any field goes on (when the list is ready: a disabled Next submits nothing).
    <form
      className="wizard-step"
      data-testid="breakup-people"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (ready && !tooMany) onNext();
      }}
    >
      <h2 id="wizard-step-title" tabIndex={-1}>
        {t('breakup.people.title')}
      </h2>
      <p>{t('breakup.people.intro', { email: account.email })}</p>
      {draft.refused ? (
        <p className="message message-error" role="alert">
          {t('breakup.people.refused')}
        </p>
      ) : null}
      <div className="people-table-wrap">
        <table className="data people-table" aria-describedby="people-summary">
          <caption className="visually-hidden">{t('breakup.people.caption', { email: account.email })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('breakup.people.colNumber')}</th>
              <th scope="col">{t('breakup.people.colName')}</th>
              <th scope="col">{t('breakup.people.colEmail')}</th>
              <th scope="col">{t('breakup.people.colPhone')}</th>
              <th scope="col">{t('breakup.people.colLanguage')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('breakup.people.colRemove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {reading.rows.map((entry, index) => (
              <PersonRowEditor
                key={entry.row.key}
                entry={entry}
                n={index + 1}
                sharedLocale={sharedLocale}
                onChange={(change) => patch(entry.row.key, change)}
                onLeaveField={(field) => touch(entry.row.key, [field])}
                onRowBlur={onRowBlur(entry.row)}
                onPaste={onCellPaste(entry.row)}
                onRemove={() => removeRow(entry.row.key)}
              />
            ))}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button type="button" onClick={addRow} disabled={draft.rows.length >= breakupLimits.maxMembers} data-testid="add-person">
          {t('breakup.people.add')}
        </button>
        <button
          type="button"
          aria-expanded={pasteOpen}
          aria-controls={pasteId}
          onClick={() => {
            setPasteOpen(!pasteOpen);
            if (!pasteOpen) focusLater(`${pasteId}-text`);
          }}
          data-testid="paste-toggle"
        >
          {t('breakup.paste.open')}
        </button>
      </div>
      <div id={pasteId} hidden={!pasteOpen} className="paste-box">
        <div className="field">
          <label htmlFor={`${pasteId}-text`}>{t('breakup.paste.label')}</label>
          <textarea
            id={`${pasteId}-text`}
            rows={5}
            value={pasted}
            onChange={(event) => setPasted(event.target.value)}
            aria-describedby={`${pasteId}-hint`}
            spellCheck={false}
            data-testid="paste-text"
          />
          <small id={`${pasteId}-hint`} className="hint">
            {t('breakup.paste.hint')}
          </small>
        </div>
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              if (insertPasted(pasted)) {
                setPasted('');
                setPasteOpen(false);
              }
            }}
            disabled={!pasted.trim()}
            data-testid="paste-add"
          >
            {t('breakup.paste.add')}
          </button>
        </div>
      </div>
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      <p
        id="people-summary"
        className={reading.problemCount ? 'people-summary has-problems' : 'people-summary'}
        role="status"
        data-testid="people-summary"
      >
        {summary}
      </p>
      {check.isError && !check.isFetching ? (
        <>
          <ErrorMessage error={check.error} />
          <button type="button" onClick={() => void check.refetch()}>
            {t('breakup.people.checkAgain')}
          </button>
        </>
      ) : null}
      <div className="actions wizard-nav">
        <button type="submit" className="primary" disabled={!ready || tooMany} data-testid="wizard-next">
          {t('breakup.next.when')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('breakup.cancel')}
        </button>
      </div>
    </form>
  );
}

function PersonRowEditor({
  entry,
  n,
  sharedLocale,
  onChange,
  onLeaveField,
  onRowBlur,
  onPaste,
  onRemove,
}: {
  entry: RowReading;
  n: number;
  sharedLocale: MemberLocale | undefined;
  onChange(change: Partial<PersonRow>): void;
  onLeaveField(field: PersonField): void;
  onRowBlur(event: FocusEvent<HTMLTableRowElement>): void;
  onPaste(event: ClipboardEvent<HTMLInputElement>): void;
  onRemove(): void;
}) {
  const { t } = useI18n();
  const { row, shown } = entry;
  const labels = {
    name: t('breakup.people.nameOf', { n }),
    email: t('breakup.people.emailOf', { n }),
    phone: t('breakup.people.phoneOf', { n }),
  };
  const cell = (field: PersonField, input: { type: string; inputMode?: 'email' | 'tel'; autoComplete: string }) => {
    const problems = shown[field] ?? [];
    const problemId = `${fieldId(row, field)}-problem`;
    const hintId = `${fieldId(row, field)}-hint`;
    const phoneReads = field === 'phone' && entry.phone && !problems.length;
    const describedBy = [problems.length ? problemId : null, phoneReads ? hintId : null].filter(Boolean).join(' ');
    return (
      <td>
        <input
          id={fieldId(row, field)}
          type={input.type}
          inputMode={input.inputMode}
          autoComplete={input.autoComplete}
          spellCheck={false}
          value={row[field]}
          maxLength={fieldLimits[field]}
          aria-label={labels[field]}
          aria-invalid={problems.length > 0}
          aria-describedby={describedBy || undefined}
          onChange={(event) => onChange({ [field]: event.target.value })}
          onBlur={() => onLeaveField(field)}
          onPaste={onPaste}
          data-testid={`person-${field}`}
        />
        {problems.length ? (
          <small id={problemId} className="field-problem" data-testid={`person-${field}-problem`}>
            {problems.map((code) => t(problemKey[code])).join(' ')}
          </small>
        ) : null}
        {phoneReads ? (
          <small id={hintId} className="hint">
            {t('breakup.people.phoneReads', { phone: entry.phone! })}
          </small>
        ) : null}
      </td>
    );
  };
  return (
    <tr onBlur={onRowBlur} data-testid="person-row" data-problems={entry.problems.length}>
      <td className="people-number">{n}</td>
      {cell('name', { type: 'text', autoComplete: 'off' })}
      {cell('email', { type: 'text', inputMode: 'email', autoComplete: 'off' })}
      {cell('phone', { type: 'tel', autoComplete: 'off' })}
      <td>
        <select
          id={fieldId(row, 'locale')}
          aria-label={t('breakup.people.languageOf', { n })}
          value={row.locale ?? sharedLocale ?? 'en'}
          onChange={(event) => onChange({ locale: event.target.value as MemberLocale })}
          data-testid="person-locale"
        >
          {memberLocales.map((code) => (
            <option key={code} value={code}>
              {t(`language.${code}`)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <button type="button" onClick={onRemove} aria-label={t('breakup.people.removeOf', { n })} data-testid="remove-person">
          {t('breakup.people.remove')}
        </button>
      </td>
    </tr>
  );
}
