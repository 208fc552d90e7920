import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** The signed-in workspace: user, teams, current team, projects, members, running timers and helpers. */
export const AppContext = createContext(null);
export const useApp = () => useContext(AppContext);
export const MANAGERS = ['owner', 'admin'];
