/**
 * 申请: the wizard from 实名认证 to 提交, one step at a time (antd Steps). A draft resumes at the step
 * the server recorded (`step`); the applicant may go back to any step reached. The forms of the
 * steps live here, not in the steps, so what was typed survives going back and forth; the URL
 * names the draft as soon as it exists, so a reload resumes it. An application returned for changes
 * (待修改) opens here in the returned mode (ReturnedApplication) instead of the steps.
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Form, Grid, Result, Skeleton, Steps, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { errorMessage } from '../../api';
import { common } from '../../strings';
import { applicationsApi, type ApplicationView, type DraftStep, type OrganisationOutcome } from '../applicationsApi';
import { AttachmentsStep } from './AttachmentsStep';
import { ContractStep } from './ContractStep';
import { FormStep, type FormFields } from './FormStep';
import { IdentityStep, type IdentityFields } from './IdentityStep';
import { ProjectAttachmentsStep } from './ProjectAttachmentsStep';
import { RenewalIdentityStep } from './RenewalIdentityStep';
import { ReturnedApplication } from './ReturnedApplication';
import { identityStrings, wizardStrings as s } from './strings';
import './apply.css';
import { PageTitle } from '../../components/PageTitle';

/** 续期 walks a short path under its own names. */
const renewalTitles: Partial<Record<DraftStep, string>> = {
  identity: s.renewalStepIdentity,
  form: s.renewalStepForm,
  project_attachments: s.renewalStepSubmit,
};

const stepTitles: Record<DraftStep, string> = {
  identity: s.stepIdentity,
  contract: s.stepContract,
  attachments: s.stepAttachments,
  contract_review: s.stepContractReview,
  form: s.stepForm,
  project_attachments: s.stepProjectAttachments,
};
/** Before the draft exists (and 企业认证 has said which type it is), the enterprise's path is shown. */
const enterprisePath: DraftStep[] = ['identity', 'contract', 'attachments', 'contract_review', 'form', 'project_attachments'];

const NEW = 'new';

type Notice = { type: 'success' | 'warning'; message: string };

/** What 企业认证 said: fresh from the answer, or as the draft records it when resumed. */
function identityNotice(view: ApplicationView | undefined, fresh: Notice | undefined): Notice | undefined {
  if (fresh) return fresh;
  const outcome = view?.organisation?.registryOutcome;
  if (outcome === 'match') return { type: 'success', message: identityStrings.verifiedTitle };
  if (outcome === 'not_found') return { type: 'warning', message: identityStrings.notFoundSummary };
  if (outcome === 'lagging') return { type: 'warning', message: identityStrings.laggingSummary };
  return undefined;
}

export function ApplyWizard() {
  const { id = NEW } = useParams();
  const navigate = useNavigate();
  // On a phone the six steps stay in one row of numbers with the current step's title beside its
  // number: six titles do not fit in 390 px. The others' titles stay for screen readers.
  const mobile = Grid.useBreakpoint().md === false;
  const [identityForm] = Form.useForm<IdentityFields>();
  const [applicationForm] = Form.useForm<FormFields>();
  const [view, setView] = useState<ApplicationView | undefined>(undefined);
  const [current, setCurrent] = useState<DraftStep>('identity');
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  const [freshNotice, setFreshNotice] = useState<Notice | undefined>(undefined);
  const [operatorPhone, setOperatorPhone] = useState<string | undefined>(undefined);
  /** The draft already in hand: the URL catching up with it must not reload the page. */
  const loaded = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (id === NEW || loaded.current === id) return;
    let active = true;
    setLoadError(undefined);
    applicationsApi.view(id).then(
      (v) => {
        if (!active) return;
        // 待修改 opens here too, in the returned mode; anything else is only 查看.
        if (!v.editable) {
          navigate(`/applications/${v.id}/view`, { replace: true });
          return;
        }
        loaded.current = v.id;
        setView(v);
        setCurrent(v.step);
      },
      (err: unknown) => active && setLoadError(errorMessage(err)),
    );
    return () => {
      active = false;
    };
  }, [id, attempt, navigate]);

  const refresh = useCallback(async (): Promise<ApplicationView | undefined> => {
    const target = loaded.current;
    if (!target) return undefined;
    const v = await applicationsApi.view(target);
    setView(v);
    return v;
  }, []);

  /** After a step is done: the next one, as far as the server says the draft has got. */
  const advance = useCallback(async () => {
    try {
      const v = await refresh();
      if (v) {
        // The next step on this draft's path, no further than the server says it has got.
        setCurrent((c) => {
          const at = v.steps.indexOf(c);
          const next = v.steps[at + 1] ?? c;
          return v.steps.indexOf(next) <= v.steps.indexOf(v.step) ? next : v.step;
        });
      }
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, [refresh]);

  const keepFreshAsync = useCallback(async () => {
    await refresh();
  }, [refresh]);

  const keepFresh = useCallback(() => {
    refresh().catch((err: unknown) => setLoadError(errorMessage(err)));
  }, [refresh]);

  async function operatorVerified(newId: string, phone: string) {
    setOperatorPhone(phone);
    const v = await applicationsApi.view(newId);
    loaded.current = v.id;
    setView(v);
    if (id !== v.id) navigate(`/applications/${v.id}`, { replace: true });
  }

  async function organisationVerified(outcome: OrganisationOutcome) {
    setFreshNotice({ type: outcome.outcome === 'match' ? 'success' : 'warning', message: outcome.message });
    await advance();
  }

  if (loadError && !view) {
    return (
      <section className="portal-page">
        <Result
          status="warning"
          title={common.loadFailedTitle}
          subTitle={loadError}
          extra={
            <Button type="primary" onClick={() => setAttempt((n) => n + 1)}>
              {common.retry}
            </Button>
          }
        />
      </section>
    );
  }
  if (id !== NEW && !view) {
    return (
      <section className="portal-page">
        <Skeleton active paragraph={{ rows: 10 }} />
      </section>
    );
  }

  if (view?.events.includes('resubmit')) return <ReturnedApplication application={view} refresh={refresh} />;

  const path = view?.steps ?? enterprisePath;
  // 续期 / 变更 / 补办: the unit's data confirmed against last time's, on the kind's short path.
  const renewal = view !== undefined && view.kind !== 'new';
  const furthest = view ? path.indexOf(view.step) : 0;
  // A step that left the path (企业认证 made the draft a 事业单位 one) shows where the path resumes.
  const shown: DraftStep = path.includes(current) ? current : (view?.step ?? 'identity');
  const currentIndex = Math.max(0, path.indexOf(shown));
  const notice = identityNotice(view, freshNotice);
  const noticeNode = notice && (
    <Alert
      type={notice.type}
      showIcon
      title={notice.message}
      description={
        notice.type === 'success' && view?.organisation
          ? identityStrings.verifiedSummary(view.organisation.name, view.applicantTypeLabel)
          : undefined
      }
    />
  );

  return (
    <section className="portal-page">
      <Flex justify="space-between" align="center" wrap gap={12} className="portal-page-header">
        <Flex vertical gap={2}>
          <PageTitle style={{ margin: 0 }}>
            {view?.kind === 'renewal' ? s.renewalTitle : renewal ? s.aftersalesTitle(view.kindLabel) : s.title}
          </PageTitle>
          {view && <Typography.Text type="secondary">{s.number(view.number)}</Typography.Text>}
        </Flex>
        <Button icon={<ArrowLeftOutlined aria-hidden />} onClick={() => navigate('/applications')}>
          {s.backToList}
        </Button>
      </Flex>
      <Steps
        size="small"
        responsive={false}
        current={currentIndex}
        onChange={(i) => i <= furthest && setCurrent(path[i] ?? 'identity')}
        // The step shown is never drawn as unreachable (pale), whatever the draft's recorded step says.
        items={path.map((step, i) => {
          const title = (step === 'form' && renewal && view.kind !== 'renewal' ? s.aftersalesStepForm : renewal ? renewalTitles[step] : undefined) ?? stepTitles[step];
          return {
            title: mobile && i !== currentIndex ? <span className="visually-hidden">{title}</span> : title,
            disabled: i > furthest && i !== currentIndex,
          };
        })}
        className={mobile ? 'apply-steps apply-steps-compact' : 'apply-steps'}
      />
      {loadError && <Alert type="error" showIcon title={loadError} className="apply-alert" />}
      <div className="apply-step-body">
        {view && renewal && shown === 'identity' && (
          <RenewalIdentityStep application={view} onOperatorVerified={keepFreshAsync} onOrganisationVerified={organisationVerified} />
        )}
        {!renewal && shown === 'identity' && (
          <IdentityStep
            form={identityForm}
            application={view}
            notice={noticeNode}
            onOperatorVerified={operatorVerified}
            onOrganisationVerified={organisationVerified}
            onNext={() => setCurrent('contract')}
          />
        )}
        {view && shown === 'contract' && (
          <ContractStep key="sign" application={view} kind="sign" notice={freshNotice && noticeNode} onAccepted={advance} />
        )}
        {view && shown === 'attachments' && <AttachmentsStep application={view} onChanged={keepFresh} onCompleted={advance} />}
        {view && shown === 'contract_review' && <ContractStep key="read" application={view} kind="read" onAccepted={advance} />}
        {view && shown === 'form' && (
          <FormStep
            form={applicationForm}
            application={view}
            operatorPhone={operatorPhone}
            onSaved={advance}
          />
        )}
        {view && shown === 'project_attachments' && <ProjectAttachmentsStep application={view} onChanged={keepFresh} />}
      </div>
    </section>
  );
}
