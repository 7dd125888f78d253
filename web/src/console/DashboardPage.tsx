/**
 * 运营看板 (管理员, 财务): for a period of dates — 申请量 per day by status, the funnel from 提交 to
 * 已完成, review and production turnaround (the manual's 制证周期 2 天 drawn across), money in by
 * method and project, refunds — the certificates as of now and the renewal rate, the applications
 * waiting too long for review, and the exports behind the figures. A chunk of its own (recharts).
 * The period can come in the address (?from=…&to=…), so a view can be shared.
 */
import { Alert, Button, Card, Col, DatePicker, Empty, Flex, Row, Segmented, Statistic, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatYuan } from '../../../src/domain/money';
import { errorMessage } from '../api';
import { PageTitle } from '../components/PageTitle';
import { shanghaiClock, shanghaiTime } from '../format';
import { reportsApi, type Dashboard, type Dataset } from './reportsApi';

const DATE = 'YYYY-MM-DD';
const palette = ['#1677ff', '#52c41a', '#faad14', '#13c2c2', '#722ed1', '#eb2f96', '#fa541c', '#2f54eb', '#a0d911', '#8c8c8c', '#f5222d', '#fadb14'];
const datasets: { label: string; value: Dataset }[] = [
  { label: '申请', value: 'applications' },
  { label: '收款与退款', value: 'payments' },
  { label: '证书', value: 'certificates' },
];
const hours = (h: number | null) => (h === null ? '—' : `${h} 小时`);
const yuan = (fen: number) => `${formatYuan(fen)} 元`;
const shortDay = (day: string) => day.slice(5);

function ChartCard({ title, empty, children }: { title: string; empty: boolean; children: React.ReactElement }) {
  return (
    <Card title={title} size="small" className="dashboard-chart" aria-label={title}>
      {empty ? (
        <Empty description="该期间没有数据" />
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          {children}
        </ResponsiveContainer>
      )}
    </Card>
  );
}

/** 申请量: one bar per day, stacked by status now. */
function applicationsSeries(d: Dashboard) {
  const labels = [...new Set(d.applications.byDay.map((r) => r.statusLabel))];
  const rows = d.period.days.map((day) => {
    const row: Record<string, string | number> = { day: shortDay(day) };
    for (const r of d.applications.byDay.filter((x) => x.day === day)) row[r.statusLabel] = Number(row[r.statusLabel] ?? 0) + r.count;
    return row;
  });
  return { labels, rows };
}

function Figures({ d }: { d: Dashboard }) {
  const apps = useMemo(() => applicationsSeries(d), [d]);
  const revenue = d.period.days.map((day) => {
    const r = d.revenue.byDay.find((x) => x.day === day);
    return { day: shortDay(day), 银行汇款: (r?.bankTransferFen ?? 0) / 100, 微信支付: (r?.wechatFen ?? 0) / 100 };
  });
  const turnaround = (series: Dashboard['review']['byDay']) =>
    d.period.days.map((day) => {
      const r = series.find((x) => x.day === day);
      return { day: shortDay(day), 中位数: r?.medianHours ?? null, P90: r?.p90Hours ?? null };
    });
  const c = d.certificates;
  return (
    <Flex vertical gap={16}>
      <Row gutter={[16, 16]}>
        {[
          ['申请（已提交）', d.applications.total],
          ['收入（元）', formatYuan(d.revenue.totalFen)],
          ['退款（元）', formatYuan(d.refunds.totalFen)],
          ['净收入（元）', formatYuan(d.netFen)],
          ['审核时长中位数', hours(d.review.medianHours)],
          ['制证时长中位数', hours(d.production.medianHours)],
          [`${d.production.cycleHours / 24} 天内制证`, d.production.count === 0 ? '—' : `${d.production.withinCycle} / ${d.production.count}`],
          ['续期率', d.renewal.rate === null ? '—' : `${(d.renewal.rate * 100).toFixed(1)}%`],
        ].map(([title, value]) => (
          <Col key={String(title)} xs={12} md={6}>
            <Card size="small">
              <Statistic title={title} value={value} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <ChartCard title="申请量（按日、当前状态）" empty={d.applications.total === 0}>
            <BarChart data={apps.rows}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              {apps.labels.map((label, i) => (
                <Bar key={label} dataKey={label} stackId="status" fill={palette[i % palette.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="转化漏斗（本期提交的申请）" empty={d.applications.total === 0}>
            <BarChart data={d.funnel} layout="vertical" margin={{ left: 16 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="label" width={72} />
              <Tooltip />
              <Bar dataKey="count" name="申请数" fill="#1677ff" isAnimationActive={false} label={{ position: 'right' }} />
            </BarChart>
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="审核时长（小时，提交至审核通过）" empty={d.review.count === 0}>
            <LineChart data={turnaround(d.review.byDay)}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis />
              <Tooltip />
              <Legend />
              <Line dataKey="中位数" stroke="#1677ff" connectNulls isAnimationActive={false} />
              <Line dataKey="P90" stroke="#faad14" connectNulls isAnimationActive={false} />
            </LineChart>
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title={`制证时长（小时，支付至发出；制证周期 ${d.production.cycleHours / 24} 天）`} empty={d.production.count === 0}>
            <LineChart data={turnaround(d.production.byDay)}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis />
              <Tooltip />
              <Legend />
              <ReferenceLine y={d.production.cycleHours} stroke="#f5222d" strokeDasharray="4 4" label="制证周期" />
              <Line dataKey="中位数" stroke="#1677ff" connectNulls isAnimationActive={false} />
              <Line dataKey="P90" stroke="#faad14" connectNulls isAnimationActive={false} />
            </LineChart>
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="收入（元，按日、支付方式）" empty={d.revenue.count === 0}>
            <BarChart data={revenue}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis />
              <Tooltip />
              <Legend />
              <Bar dataKey="银行汇款" stackId="m" fill="#1677ff" isAnimationActive={false} />
              <Bar dataKey="微信支付" stackId="m" fill="#52c41a" isAnimationActive={false} />
            </BarChart>
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="收入（按项目）与退款" size="small">
            <Table
              size="small"
              pagination={false}
              rowKey={(r) => r.projectId ?? ''}
              dataSource={d.revenue.byProject}
              locale={{ emptyText: '该期间没有收款' }}
              columns={[
                { title: '所属项目', dataIndex: 'name' },
                { title: '笔数', dataIndex: 'count', align: 'right' },
                { title: '金额（元）', dataIndex: 'totalFen', align: 'right', render: (v: number) => formatYuan(v) },
              ]}
            />
            <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }}>
              退款 {d.refunds.count} 笔，共 {yuan(d.refunds.totalFen)}（已退 {yuan(d.refunds.settledFen)}，待退 {yuan(d.refunds.openFen)}）
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>
      {/* In force, ending and revoked are a snapshot the server takes at most once a minute. */}
      <Card title="证书（当前）" size="small" extra={<Typography.Text type="secondary">数据更新于 {shanghaiClock(d.certificatesAsOf)}</Typography.Text>}>
        <Row gutter={[16, 16]}>
          {[
            ['有效证书', c.valid],
            ['30 天内到期（未续期）', c.expiring30],
            ['90 天内到期（未续期）', c.expiring90],
            ['已吊销', c.revoked],
            ['本期签发', c.issued],
            ['本期吊销', c.revokedInPeriod],
            ['本期到期 / 已续期', `${d.renewal.due} / ${d.renewal.renewed}`],
          ].map(([title, value]) => (
            <Col key={String(title)} xs={12} md={6} lg={3}>
              <Statistic title={title} value={value} />
            </Col>
          ))}
        </Row>
      </Card>
      <Card title={`超时待审核（待审核超过 ${d.review.waitLimitHours} 小时：${d.review.overdue} 份，待审核共 ${d.review.pending} 份）`} size="small">
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={d.review.overdueItems}
          locale={{ emptyText: '没有超时的申请' }}
          columns={[
            { title: '申请单号', dataIndex: 'number' },
            { title: '类别', dataIndex: 'kindLabel', render: (v: string) => <Tag>{v}</Tag> },
            { title: '单位名称', dataIndex: 'orgName' },
            { title: '所属项目', dataIndex: 'projectName' },
            { title: '提交时间', dataIndex: 'since', render: (v: string) => shanghaiTime(v) },
            { title: '已等待（小时）', dataIndex: 'waitedHours', align: 'right' },
          ]}
        />
      </Card>
    </Flex>
  );
}

export function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const initial = (key: string, fallback: Dayjs) => {
    const v = params.get(key);
    return v && dayjs(v, DATE, true).isValid() ? dayjs(v, DATE) : fallback;
  };
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [initial('from', dayjs().subtract(29, 'day')), initial('to', dayjs())]);
  const [dataset, setDataset] = useState<Dataset>('applications');
  const [data, setData] = useState<Dashboard | undefined>();
  const [error, setError] = useState<string | undefined>();
  const from = range[0].format(DATE);
  const to = range[1].format(DATE);

  useEffect(() => {
    let live = true;
    setData(undefined);
    reportsApi.dashboard(from, to).then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [from, to]);

  return (
    <section>
      <PageTitle>运营看板</PageTitle>
      <Flex vertical gap={16}>
        <Flex gap={12} wrap align="center">
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            aria-label="统计期间"
            onChange={(v) => {
              if (!v?.[0] || !v[1]) return;
              setRange([v[0], v[1]]);
              setParams({ from: v[0].format(DATE), to: v[1].format(DATE) }, { replace: true });
            }}
          />
          <Segmented options={datasets} value={dataset} onChange={(v) => setDataset(v as Dataset)} />
          <Button href={reportsApi.exportUrl(dataset, from, to, 'xlsx')} download>
            导出Excel
          </Button>
          <Button href={reportsApi.exportUrl(dataset, from, to, 'csv')} download>
            导出CSV
          </Button>
          {data && <Typography.Text type="secondary">数据更新于 {shanghaiTime(data.generatedAt)}</Typography.Text>}
        </Flex>
        {error && <Alert type="error" showIcon title={error} />}
        {data ? <Figures d={data} /> : !error && <Card loading />}
      </Flex>
    </section>
  );
}
