import SeatlineCore

/// The shell's own labels. Rule texts (R2, R4, R9, R10 ...) come from the core instead.
/// The same words as the Android app's `Labels.kt`.
public enum Labels {
    public static let appName = Bilingual("Seatline 坐席", "Seatline agent")

    // Login (R1)
    public static let enterprise = Bilingual("企业代码", "Enterprise code")
    public static let jobNumber = Bilingual("工号", "Job number")
    public static let password = Bilingual("密码", "Password")
    public static let logIn = Bilingual("登录", "Log in")
    public static let loggingIn = Bilingual("正在登录…", "Logging in…")
    public static let resuming = Bilingual("正在自动登录…", "Logging in automatically…")
    public static let logOut = Bilingual("退出登录", "Log out")

    // Tabs
    public static let phoneTab = Bilingual("电话", "Phone")
    public static let dialTab = Bilingual("拨号", "Dial")
    public static let customersTab = Bilingual("客户", "Customers")
    public static let settingsTab = Bilingual("设置", "Settings")

    // Phone panel (R4, R7, R9)
    public static let phoneState = Bilingual("电话状态", "Phone state")
    public static let tapForDetail = Bilingual("点击查看详情", "Tap for details")
    public static let offlineBanner = Bilingual("与平台的连接已断开，正在重连", "Connection to the platform lost; reconnecting")
    public static let ok = Bilingual("知道了", "OK")

    /// R4: the answer state as the switch shows it (mobile: 关闭接听 / 开启接听).
    public static func answer(_ state: AnswerState) -> Bilingual {
        switch state {
        case .pcBusy: return Bilingual("忙碌", "Busy")
        case .pcIdle: return Bilingual("空闲", "Idle")
        case .mobileOff: return Bilingual("关闭接听", "Answering off")
        case .mobileOn: return Bilingual("开启接听", "Answering on")
        }
    }

    /// R7.
    public static func reception(isOpen: Bool) -> Bilingual {
        isOpen ? Bilingual("开启接待", "Reception open") : Bilingual("关闭接待", "Reception closed")
    }

    public static func device(_ kind: DeviceKind) -> Bilingual {
        switch kind {
        case .pc: return Bilingual("电脑", "PC")
        case .mobile: return Bilingual("手机", "Mobile")
        }
    }

    /// R5: the other device holds answering, so this one cannot turn it on.
    public static func answeringElsewhere(_ kind: DeviceKind) -> Bilingual {
        let d = device(kind)
        return Bilingual("\(d.zh)端正在接听", "Answering is on at your \(d.en)")
    }

    // Dial pad (R14)
    public static let call = Bilingual("呼叫", "Call")
    public static let paste = Bilingual("粘贴", "Paste")
    public static let enterNumber = Bilingual("请输入号码", "Enter a number")
    public static let numberTooShort = Bilingual("号码位数不足", "The number is too short")
    public static let addToLibrary = Bilingual("添加到客户库", "Add to customer library")
    public static let noDialer = Bilingual("没有可用的拨号应用", "No dialer app on this device")

    // Customer library (R15, R40)
    public static let searchHint = Bilingual("搜索姓名、公司或号码", "Search name, company or number")
    public static let mineOnly = Bilingual("我的客户", "My customers")
    public static let noCustomers = Bilingual("没有找到客户", "No customers found")
    public static let addCustomer = Bilingual("添加客户", "Add customer")
    public static let mobile = Bilingual("手机号码", "Mobile number")
    public static let mobileFixed = Bilingual("手机号码添加后不可修改", "The mobile number cannot be changed later")
    public static let nameOptional = Bilingual("姓名（选填）", "Name (optional)")
    public static let save = Bilingual("保存", "Save")
    public static let cancel = Bilingual("取消", "Cancel")
    public static let add = Bilingual("添加", "Add")
    public static let addContact = Bilingual("添加联系方式", "Add contact")
    public static let company = Bilingual("公司", "Company")
    public static let title = Bilingual("职位", "Title")
    public static let owner = Bilingual("归属", "Owner")
    public static let ownedByMe = Bilingual("我的客户", "Mine")
    public static let publicPool = Bilingual("公海", "Public pool")
    public static let makeMine = Bilingual("设为我的客户", "Make mine")
    public static let returnToPool = Bilingual("退回公海", "Return to public pool")
    public static let notSynced = Bilingual("待同步", "Not synced")
    public static let openExisting = Bilingual("查看已有客户", "Open the existing customer")
    public static let customerNotFound = Bilingual("客户不存在", "Customer not found")
    public static let contactMethods = Bilingual("联系方式", "Contact methods")
    public static let callNumber = Bilingual("拨打", "Call")

    /// R15: the five kinds, in the core's order.
    public static let contactKinds: [ContactKind] = [.mobile, .landline, .email, .wechat, .qq]

    /// R15: the zh-CN names are the core's (`ContactMethod.kindZh`).
    public static func contactKind(_ kind: ContactKind) -> Bilingual {
        switch kind {
        case .mobile: return Bilingual("手机", "Mobile")
        case .landline: return Bilingual("座机", "Landline")
        case .email: return Bilingual("邮箱", "Email")
        case .wechat: return Bilingual("微信", "WeChat")
        case .qq: return Bilingual("QQ", "QQ")
        }
    }

    // Settings (R8)
    public static let autoLogin = Bilingual("自动登录", "Log in automatically")
    public static let notifications = Bilingual("通知", "Notifications")
    public static let microphone = Bilingual("麦克风", "Microphone")
    public static let speaker = Bilingual("扬声器", "Speaker")
    public static let microphoneVolume = Bilingual("麦克风音量", "Microphone volume")
    public static let speakerVolume = Bilingual("扬声器音量", "Speaker volume")
    public static let systemDefault = Bilingual("系统默认", "System default")

    public static func sessionEnded(_ reason: SessionEndReason) -> Bilingual? {
        switch reason {
        // The agent's own logout needs no explanation.
        case .loggedOut: return nil
        case .replacedByNewLogin:
            return Bilingual("账号已在另一台同类设备上登录", "This account logged in on another device of the same kind")
        case .accountDisabled: return Bilingual("账号已停用", "The account is disabled")
        case .passwordChanged:
            return Bilingual("密码已被管理员修改，请重新登录", "An administrator changed the password; please log in again")
        case .expired: return Bilingual("登录已过期，请重新登录", "The session expired; please log in again")
        }
    }
}
