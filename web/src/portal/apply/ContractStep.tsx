/**
 * 电子合同 and 阅读合同: the contract filled with the application's data, a box to tick
 * (本人已同意签署合同 / 本人已阅读合同) and 确认. The version and hash of the text shown travel back
 * with the acceptance, so the server knows exactly what was agreed to.
 */
import { Alert, Button, Checkbox, Flex, Skeleton, Typography } from 'antd';
import { shanghaiTime } from '../../format';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../../api';
import { applicationsApi, contractPdfUrl, type ApplicationView, type Contract, type ContractKind } from '../applicationsApi';
import { contractStrings as s } from './strings';

interface Props {
  application: ApplicationView;
  kind: ContractKind;
  /** Shown above the contract: 实名认证成功 or 企业不存在 after the identity step. */
  notice?: ReactNode;
  onAccepted(): void;
}

export function ContractStep({ application, kind, notice, onAccepted }: Props) {
  const [contract, setContract] = useState<Contract | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [agreed, setAgreed] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  const accepted = application.contractAcceptances.filter((a) => a.kind === kind).at(-1);

  useEffect(() => {
    let current = true;
    applicationsApi.contract(application.id).then(
      (c) => current && setContract(c),
      (err: unknown) => current && setLoadError(errorMessage(err)),
    );
    return () => {
      current = false;
    };
  }, [application.id, attempt]);

  async function confirm() {
    if (!contract) return;
    setSaving(true);
    setError(undefined);
    try {
      await applicationsApi.acceptContract(application.id, kind, contract);
      onAccepted();
    } catch (err) {
      setError(errorMessage(err));
      if (err instanceof ApiError && err.code === 'CONTRACT_CHANGED') {
        // The text changed while it was being read: show the new one, to be ticked again.
        setAgreed(false);
        setAttempt((n) => n + 1);
      }
      setSaving(false);
    }
  }

  const label = kind === 'read' ? s.agreeRead : application.applicantType === 'institution' ? s.agreeSignInstitution : s.agreeSign;

  return (
    <Flex vertical gap={16}>
      {notice}
      {kind === 'read' && <Typography.Text type="secondary">{s.readIntro}</Typography.Text>}
      {loadError && <Alert type="error" showIcon title={loadError} />}
      {!contract && !loadError && <Skeleton active paragraph={{ rows: 8 }} />}
      {contract && (
        <>
          <Typography.Title level={5} style={{ margin: 0, textAlign: 'center' }}>
            {contract.title}
          </Typography.Title>
          {kind === 'read' ? (
            // The contract as signed: the PDF with the CA's seal and digital signature.
            <>
              <iframe className="apply-contract-pdf" title={s.pdfTitle} src={contractPdfUrl(application.id)} />
              <a href={contractPdfUrl(application.id, true)}>
                {s.pdfDownload}
              </a>
            </>
          ) : (
            <div className="apply-contract-text" tabIndex={0} role="document" aria-label={s.textLabel}>
              {contract.text}
            </div>
          )}
          <Checkbox checked={agreed} onChange={(e) => setAgreed(e.target.checked)}>
            {label}
          </Checkbox>
          {accepted && <Typography.Text type="secondary">{s.accepted(shanghaiTime(accepted.at))}</Typography.Text>}
          {error && <Alert type="error" showIcon title={error} />}
          <div>
            <Button type="primary" disabled={!agreed} loading={saving} onClick={confirm}>
              {s.confirm}
            </Button>
          </div>
        </>
      )}
    </Flex>
  );
}
