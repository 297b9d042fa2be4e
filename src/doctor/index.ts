// The doctor's public surface for its front ends (CLI, API, dashboard): run it, read the report.

export { runDoctor, runPayloadDoctor, type DoctorTarget } from './run-doctor.js';
export type { DoctorDeps } from './doctor-deps.js';
export { DOCTOR_STEPS, type Check, type CheckCode, type CheckStatus, type Diagnosis, type DoctorReport, type DoctorStep } from './report.js';
export { doctorRoutes, doctorDepsFromContext, registerDoctorRoutes } from './doctor-routes.js';
