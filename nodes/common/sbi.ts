// The SBI types NF logic is written against live in transport/sbi/api.ts (they are HTTP/2 and
// TS 29.500 semantics, below the nodes); re-exported here for the NFs.
export * from '../../transport/sbi/api.ts';
