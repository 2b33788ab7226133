// Strings of the admin and account screens (people, organisation, roster import, my account). Every key must exist
// in both languages.
const zh = {
  'users.savedName': '已保存对 {name} 的修改。',
  'orgUnits.saved': '已保存“{name}”。',
  'import.chooseFile': '请选择要导入的 CSV 文件',
  'import.reportTitle': '试运行结果',
  'import.col.employee_number': '工号',
  'import.col.name': '姓名',
  'import.col.position': '岗位',
  'import.col.org_unit_path': '组织路径',
  'import.col.role': '角色',
  'import.noChanges': '无变化',
};

const en: Record<keyof typeof zh, string> = {
  'users.savedName': 'Changes to {name} saved.',
  'orgUnits.saved': '"{name}" saved.',
  'import.chooseFile': 'Choose the CSV file to import',
  'import.reportTitle': 'Dry-run result',
  'import.col.employee_number': 'Employee number',
  'import.col.name': 'Name',
  'import.col.position': 'Position',
  'import.col.org_unit_path': 'Org unit path',
  'import.col.role': 'Role',
  'import.noChanges': 'No changes',
};

export const admin = { zh, en };
