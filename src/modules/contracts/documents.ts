/**
 * contracts: the signed contract PDF (the manual: 系统生成带签名和内蒙古CA签章的电子合同). Made when
 * the applicant accepts (本人已同意签署合同): the accepted text, the parties (ID number and phone
 * masked), the acceptance evidence, the CA's seal stamped and a PAdES signature by the CA's
 * document-signing certificate. Stored once through the blob store, never rewritten; its SHA-256
 * goes into the audit log with the acceptance.
 */
import { createHash, randomUUID } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.ts';
import { contractDocuments } from '../../db/schema.ts';
import { AppError } from '../../domain/errors.ts';
import type { Signer } from '../../pki/signer.ts';
import { renderSealPng } from '../../seal/image.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import type { RenderedContract } from './service.ts';

export interface DocumentSigning {
  signer: Signer;
  certificate: Uint8Array;
  serialHex: string;
  /** Issuing CA first, then the root. */
  chain: Uint8Array[];
}

export interface ContractDocumentInput {
  applicationId: string;
  applicationNumber: string;
  contract: RenderedContract;
  organisation: { name: string; uscc: string };
  operator: { name: string; idNumber: string; phone: string };
  agreedAt: Date;
}

export type ContractDocuments = ReturnType<typeof createContractDocuments>;

export function createContractDocuments(deps: { db: Db; blobs: BlobStore; caName: string; signing: () => DocumentSigning }) {
  let seal: Uint8Array | undefined;
  // The CA's 合同专用章, drawn once per process from its name.
  const caSeal = () => (seal ??= renderSealPng({ name: deps.caName, purpose: '合同专用章' }));

  return {
    /** Renders, signs and stores the PDF; the caller records it (`record`) in its transaction. */
    async make(input: ContractDocumentInput) {
      const s = deps.signing();
      // The PDF library (pdf-lib, fontkit: a third of a second) loads with the first contract, not at every start.
      const { makeSignedContract } = await import('../../pdf/contract.ts');
      const pdf = await makeSignedContract(
        {
          title: input.contract.title,
          text: input.contract.text,
          version: input.contract.version,
          textSha256: input.contract.sha256,
          applicationNumber: input.applicationNumber,
          organisation: input.organisation,
          operator: input.operator,
          caName: deps.caName,
          agreedAt: input.agreedAt,
          signedAt: input.agreedAt,
          sealPng: caSeal(),
        },
        { signer: s.signer, certificate: s.certificate, chain: s.chain, reason: '电子合同签署', location: deps.caName, name: deps.caName },
      );
      const pdfSha256 = createHash('sha256').update(pdf).digest('hex');
      const blobKey = `contracts/${input.agreedAt.getUTCFullYear()}/${randomUUID()}.pdf`;
      await deps.blobs.put(blobKey, Buffer.from(pdf), 'application/pdf');
      return {
        row: {
          applicationId: input.applicationId,
          templateVersion: input.contract.version,
          textSha256: input.contract.sha256,
          pdfSha256,
          blobKey,
          sizeBytes: pdf.length,
          signerSerial: s.serialHex,
          createdAt: input.agreedAt,
        },
      };
    },

    async record(tx: Tx, row: typeof contractDocuments.$inferInsert) {
      await tx.insert(contractDocuments).values(row);
    },

    /** The newest signed contract of an application, as stored. */
    async latest(applicationId: string) {
      const [row] = await deps.db
        .select()
        .from(contractDocuments)
        .where(eq(contractDocuments.applicationId, applicationId))
        .orderBy(desc(contractDocuments.createdAt), desc(contractDocuments.id))
        .limit(1);
      if (!row) throw new AppError('CONTRACT_NOT_SIGNED', '尚未签署电子合同', 404);
      const blob = await deps.blobs.get(row.blobKey);
      if (!blob) throw new AppError('NOT_FOUND', '合同文件不存在', 404);
      return { row, data: blob.data };
    },
  };
}
