export {
  clearInterrupt,
  installSigintHandler,
  InterruptedError,
  interruptRequested,
  requestInterrupt,
  throwIfInterrupted,
} from './interrupt';
