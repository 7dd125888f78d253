/**
 * 单位证书及电子印章申请: the applicant's orders and the 申请 button that starts a new one. There is
 * no list endpoint yet, so the table is empty; the row shape is what the page will show.
 */
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Flex, Table, Typography, type TableColumnsType } from 'antd';
import { formatFen } from '../format';
import { applicationsStrings as s } from './strings';

interface ApplicationRow {
  id: string;
  number: string;
  organisationName: string;
  projectName: string;
  amountFen: number;
  statusLabel: string;
}

const columns: TableColumnsType<ApplicationRow> = [
  { title: s.columnNumber, dataIndex: 'number', key: 'number' },
  { title: s.columnOrganisation, dataIndex: 'organisationName', key: 'organisationName' },
  { title: s.columnProject, dataIndex: 'projectName', key: 'projectName' },
  { title: s.columnAmount, dataIndex: 'amountFen', key: 'amountFen', align: 'right', render: (fen: number) => formatFen(fen) },
  { title: s.columnStatus, dataIndex: 'statusLabel', key: 'status' },
  { title: s.columnActions, key: 'actions' },
];

const noApplications: ApplicationRow[] = [];

export function ApplicationsPage() {
  const { message } = App.useApp();

  return (
    <section className="portal-page">
      <Flex justify="space-between" align="center" wrap gap={12} className="portal-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {s.title}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => message.info(s.applyComingSoon)}>
          {s.apply}
        </Button>
      </Flex>
      <Table<ApplicationRow>
        rowKey="id"
        columns={columns}
        dataSource={noApplications}
        locale={{ emptyText: s.empty }}
        pagination={false}
        scroll={{ x: 720 }}
      />
    </section>
  );
}
