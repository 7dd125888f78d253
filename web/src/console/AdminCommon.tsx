/** What every 系统管理 page shares: loading with 刷新, the page frame, and a form's server error. */
import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Space, Typography, type FormInstance } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { errorMessage } from '../api';
import { a } from './adminStrings';
import { PageTitle } from '../components/PageTitle';

export interface Loaded<T> {
  data: T | undefined;
  loading: boolean;
  error: string | undefined;
  reload: () => void;
}

/** Runs `load` now and on every reload; a stale answer (after a newer reload) is dropped. */
export function useLoaded<T>(load: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // `load` is a fixed API call in every page: only a reload should run it again.
  }, [round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, loading, error, reload };
}

export function AdminPage({ title, hint, extra, error, onReload, children }: {
  title: string;
  hint?: ReactNode;
  extra?: ReactNode;
  error?: string;
  onReload: () => void;
  children: ReactNode;
}) {
  return (
    <Card>
      <Flex justify="space-between" align="start" gap={16} wrap style={{ marginBottom: 16 }}>
        <div>
          <PageTitle style={{ marginTop: 0, marginBottom: hint ? 4 : 0 }}>{title}</PageTitle>
          {hint && <Typography.Text type="secondary">{hint}</Typography.Text>}
        </div>
        <Space>
          <Button icon={<ReloadOutlined aria-hidden />} onClick={onReload}>
            {a.reload}
          </Button>
          {extra}
        </Space>
      </Flex>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {children}
    </Card>
  );
}

/** The server's refusal of a form, shown above its buttons (the server's words, in Chinese). */
export function FormError({ error }: { error: string | undefined }) {
  return error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} role="alert" /> : null;
}

/**
 * A modal form's 保存: checks the fields (the form shows what is wrong), then runs `work` with the
 * values; a refusal from the server becomes `error`, shown by FormError.
 */
export function useFormSubmit<T>(form: FormInstance<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (work: (values: T) => Promise<void>) => {
    let values: T;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await work(values);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
