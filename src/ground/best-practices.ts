import type { BestPracticeId } from './types.js';

export interface BestPractice {
  id: BestPracticeId;
  title: string;
  /** Earlier published titles, accepted as aliases. */
  formerTitles: string[];
  /** Current Well-Architected Framework page. */
  url: string;
  /** The classic page slug, kept because older reports link it. */
  classicUrl: string;
}

const FRAMEWORK = 'https://docs.aws.amazon.com/wellarchitected/latest/framework';

export const BEST_PRACTICES: Record<BestPracticeId, BestPractice> = {
  'REL04-BP01': {
    id: 'REL04-BP01',
    title: 'Identify the kind of distributed systems you depend on',
    formerTitles: ['Identify which kind of distributed system is required'],
    url: `${FRAMEWORK}/rel04-bp01.html`,
    classicUrl: `${FRAMEWORK}/rel_prevent_interaction_failure_identify.html`,
  },
  'REL04-BP02': {
    id: 'REL04-BP02',
    title: 'Implement loosely coupled dependencies',
    formerTitles: [],
    url: `${FRAMEWORK}/rel04-bp02.html`,
    classicUrl: `${FRAMEWORK}/rel_prevent_interaction_failure_loosely_coupled_system.html`,
  },
  'REL04-BP03': {
    id: 'REL04-BP03',
    title: 'Do constant work',
    formerTitles: [],
    url: `${FRAMEWORK}/rel04-bp03.html`,
    classicUrl: `${FRAMEWORK}/rel_prevent_interaction_failure_constant_work.html`,
  },
  'REL04-BP04': {
    id: 'REL04-BP04',
    title: 'Make mutating operations idempotent',
    formerTitles: ['Make all responses idempotent'],
    url: `${FRAMEWORK}/rel04-bp04.html`,
    classicUrl: `${FRAMEWORK}/rel_prevent_interaction_failure_idempotent.html`,
  },
  'REL05-BP03': {
    id: 'REL05-BP03',
    title: 'Control and limit retry calls',
    formerTitles: [],
    url: `${FRAMEWORK}/rel05-bp03.html`,
    classicUrl: `${FRAMEWORK}/rel_mitigate_interaction_failure_limit_retries.html`,
  },
  'REL05-BP05': {
    id: 'REL05-BP05',
    title: 'Set client timeouts',
    formerTitles: [],
    url: `${FRAMEWORK}/rel05-bp05.html`,
    classicUrl: `${FRAMEWORK}/rel_mitigate_interaction_failure_client_timeouts.html`,
  },
};

/** The REL 4 best practices every scorecard lists, in order. */
export const SCORECARD_BEST_PRACTICES: BestPracticeId[] = ['REL04-BP01', 'REL04-BP02', 'REL04-BP03', 'REL04-BP04'];
