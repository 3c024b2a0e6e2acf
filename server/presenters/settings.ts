import type { SettingKey } from '../repositories/settings';

/** The label and explanation an administrator reads next to each toggle. */
export const SETTING_HELP: Record<SettingKey, { label: string; help: string }> = {
  'portal.dashboards': {
    label: 'Enable access in the customer portal',
    help: 'Customers see the dashboards they were added to individually, view only. Off: no Dashboards menu and every dashboard is hidden from customers.',
  },
  'portal.signup': {
    label: 'Customers may sign up themselves',
    help: 'Shows the sign-up page of the customer portal.',
  },
  'direct_access.enabled': {
    label: 'Direct Access to Entities',
    help: 'Grants on single requests and work items to single staff members. Off: existing grants give nothing and the EntityPermissions API answers 404.',
  },
  'share_links.enabled': {
    label: 'Public share links',
    help: 'Read-only links that work without signing in and may be embedded in other sites: to a dashboard (made on its sharing page by whoever manages its access) and to lists of public requests (Dashboards → public links). Off: no link works, and none can be made.',
  },
  'dashboards.creators': {
    label: 'Who may create dashboards',
    help: 'Limit dashboard creation to administrators to stop boards from multiplying.',
  },
};
