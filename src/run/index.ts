// The run directory: artifact schemas, typed reading and writing, the program and the result table.
export { ARTIFACTS, RUN_FILES, ArtifactError, artifactPath, defaultRunDir, digestOf, parseArtifact, readArtifact, readArtifactText, writeArtifact } from './artifacts.ts';
export type { Artifact, ArtifactKey } from './artifacts.ts';
export * from './schemas.ts';
export { programSchema, parseProgram, readProgram, writeProgram, ProgramError } from './program.ts';
export type { Program, ProgramAttribute, ProgramFunction } from './program.ts';
export { createCellsWriter, createTableWriter, filling, openRowSink, resultCellSchema, resultRowSchema, TABLE_FORMATS, tableFormatOf, TableFormatError } from './table.ts';
export type { CellCandidate, ResultCell, ResultRow, RowSink, TableFormat, TableWriter } from './table.ts';
